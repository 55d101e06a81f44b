package dev.outreach2day;

import org.junit.jupiter.api.Test;
import org.springframework.modulith.core.ApplicationModules;
import org.springframework.modulith.docs.Documenter;

/**
 * The package layout of ARCHITECTURE.md, enforced: modules only use each other's public
 * top-level types (facades, ids, events), never internals, and have no cycles.
 */
class ModularityTest {

    static final ApplicationModules MODULES = ApplicationModules.of(Outreach2dayApplication.class);

    @Test
    void modulesRespectTheirBoundaries() {
        MODULES.verify();
    }

    @Test
    void writesModuleDocumentation() {
        new Documenter(MODULES).writeModulesAsPlantUml().writeIndividualModulesAsPlantUml();
    }
}
