package dev.outreach2day.platform.internal;

import org.springframework.boot.ApplicationArguments;
import org.springframework.boot.ApplicationRunner;
import org.springframework.boot.ExitCodeGenerator;
import org.springframework.boot.SpringApplication;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;

/**
 * One-off maintenance commands run by the launcher ({@code ./outreach2day rotate-master-key}):
 * the application starts without its web server, does the job, prints the result and exits.
 */
@Component
@Order(0)
class CommandRunner implements ApplicationRunner {

    private final VaultRotation rotation;
    private final ConfigurableApplicationContext context;

    CommandRunner(VaultRotation rotation, ConfigurableApplicationContext context) {
        this.rotation = rotation;
        this.context = context;
    }

    @Override
    public void run(ApplicationArguments args) {
        if (!args.containsOption("o2d.command")) {
            return;
        }
        String command = args.getOptionValues("o2d.command").getFirst();
        int exit;
        if (command.equals("rotate-master-key")) {
            int n = rotation.rotate();
            System.out.println("rotate-master-key: " + n + " secrets now sealed with the current master key");
            exit = 0;
        } else {
            System.err.println("unknown command: " + command);
            exit = 2;
        }
        int code = exit;
        System.exit(SpringApplication.exit(context, (ExitCodeGenerator) () -> code));
    }
}
