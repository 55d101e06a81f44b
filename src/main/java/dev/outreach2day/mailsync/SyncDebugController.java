package dev.outreach2day.mailsync;

import dev.outreach2day.mailbox.Mailboxes;
import dev.outreach2day.platform.Caller;
import dev.outreach2day.platform.RequiredScope;
import dev.outreach2day.platform.Scope;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.time.Instant;
import java.util.List;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/** Where the inbox sync of each mailbox stands: for finding out why mail does not show up. */
@Tag(name = "Unibox")
@RestController
class SyncDebugController {

    record FolderOut(String folder, String kind, Long uidValidity, long lastUid, Long uidNext, int messages, Instant syncedAt) {}

    record MailboxSyncOut(String mailboxId, String address, String status, Instant lastSyncAt, Instant nextSyncAt, String syncingOn,
            String lastError, int failuresInARow, List<FolderOut> folders) {}

    /** [doc] */
    record UniboxDebugOut(List<MailboxSyncOut> mailboxes) {}

    private final MailSync sync;
    private final Mailboxes mailboxes;

    SyncDebugController(MailSync sync, Mailboxes mailboxes) {
        this.sync = sync;
        this.mailboxes = mailboxes;
    }

    @Operation(summary = "Public Get Threads Debug",
            description = "Per mailbox: when it was last synced, the next round, which process holds it, the last error, and per folder "
                    + "its UIDVALIDITY, the last UID read, UIDNEXT and the messages stored.")
    @RequiredScope(Scope.READ)
    @GetMapping("/threads/debug")
    UniboxDebugOut debug(Caller caller, @RequestParam(required = false) Long workspaceId) {
        long ws = caller.workspace(workspaceId);
        var states = sync.mailboxStates(ws).stream().collect(Collectors.toMap(SyncLeases.MailboxState::mailboxId, Function.identity()));
        var out = mailboxes.syncTargets().stream().filter(t -> t.workspaceId() == ws).map(t -> {
            var s = states.get(t.mailboxId());
            var folders = sync.folderStates(ws, t.mailboxId()).stream().map(f -> new FolderOut(f.folder(), f.kind(), f.uidValidity(),
                    f.lastUid(), f.uidNext(), f.messages(), f.syncedAt())).toList();
            String status = s == null ? "pending" : s.lastError() != null ? "error" : s.lockedBy() != null ? "syncing" : "ok";
            return new MailboxSyncOut(t.mailboxId(), t.address(), status, s == null ? null : s.syncedAt(),
                    s == null ? null : s.nextSyncAt(), s == null ? null : s.lockedBy(), s == null ? null : s.lastError(),
                    s == null ? 0 : s.failures(), folders);
        }).toList();
        return new UniboxDebugOut(out);
    }

}
