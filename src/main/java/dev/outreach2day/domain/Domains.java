package dev.outreach2day.domain;

import java.util.Optional;
import org.springframework.stereotype.Component;

/** The domain module's facade for other modules. */
@Component
public class Domains {

    private final DomainRepository repository;

    Domains(DomainRepository repository) {
        this.repository = repository;
    }

    /** True when the workspace holds {@code domain} (ASCII, lower case) and it is active. */
    public boolean isActive(long workspaceId, String domain) {
        return repository.findByName(workspaceId, domain).map(d -> d.status().equals("active")).orElse(false);
    }

    /** The ASCII form of a user-given domain name, or empty when it is not one. */
    public static Optional<String> normalize(String name) {
        return DomainNames.normalize(name) instanceof DomainNames.Valid v ? Optional.of(v.ascii()) : Optional.empty();
    }
}
