package io.strand.server;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

/**
 * The layering of the modules and of the packages inside them, checked on the main classes of every
 * module (this module's tests see them all). Modules, bottom up: common; storage, metadata and
 * coordinator beside each other; broker; server. Inside the broker the data path (replica,
 * purgatory, network, config) never reaches up into the API handlers or admin code.
 *
 * <p>Rules name target packages that may not exist yet; a rule over no classes passes
 * ({@code allowEmptyShould}) rather than fail, so it starts guarding as soon as the package appears.
 */
@AnalyzeClasses(packages = "io.strand", importOptions = ImportOption.DoNotIncludeTests.class)
class LayeringTest {

    @ArchTest
    static final ArchRule commonDependsOnNoOtherModule = noClasses()
            .that().resideInAPackage("io.strand.common..")
            .should().dependOnClassesThat().resideInAnyPackage("io.strand.storage..", "io.strand.metadata..",
                    "io.strand.coordinator..", "io.strand.broker..", "io.strand.server..")
            .allowEmptyShould(true);

    @ArchTest
    static final ArchRule storageDependsOnNoHigherModule = noClasses()
            .that().resideInAPackage("io.strand.storage..")
            .should().dependOnClassesThat().resideInAnyPackage("io.strand.metadata..", "io.strand.coordinator..",
                    "io.strand.broker..", "io.strand.server..")
            .allowEmptyShould(true);

    @ArchTest
    static final ArchRule metadataDependsOnNoHigherModule = noClasses()
            .that().resideInAPackage("io.strand.metadata..")
            .should().dependOnClassesThat().resideInAnyPackage("io.strand.broker..", "io.strand.server..")
            .allowEmptyShould(true);

    @ArchTest
    static final ArchRule coordinatorDependsOnNoHigherModule = noClasses()
            .that().resideInAPackage("io.strand.coordinator..")
            .should().dependOnClassesThat().resideInAnyPackage("io.strand.broker..", "io.strand.server..")
            .allowEmptyShould(true);

    @ArchTest
    static final ArchRule brokerDependsOnNoServer = noClasses()
            .that().resideInAPackage("io.strand.broker..")
            .should().dependOnClassesThat().resideInAPackage("io.strand.server..")
            .allowEmptyShould(true);

    /** The generic coordinator runtime knows nothing of the group coordinator built on it. */
    @ArchTest
    static final ArchRule coordinatorRuntimeKnowsNoGroups = noClasses()
            .that().resideInAPackage("io.strand.coordinator.runtime..")
            .should().dependOnClassesThat().resideInAPackage("io.strand.coordinator.group..")
            .allowEmptyShould(true);

    /** Appends, fetches, the request pipeline and config resolution do not depend on handlers or admin code. */
    @ArchTest
    static final ArchRule brokerDataPathDependsOnNoApiOrAdmin = noClasses()
            .that().resideInAnyPackage("io.strand.broker.replica..", "io.strand.broker.purgatory..",
                    "io.strand.broker.network..", "io.strand.broker.config..")
            .should().dependOnClassesThat().resideInAnyPackage("io.strand.broker.api..", "..admin..")
            .allowEmptyShould(true);

    /**
     * Services the handlers use (producer ids, topic auto-creation, group glue, client quotas, share-partition
     * state) do not call back into them.
     */
    @ArchTest
    static final ArchRule brokerServicesDependOnNoApi = noClasses()
            .that().resideInAnyPackage("io.strand.broker.producer..", "io.strand.broker.topic..",
                    "io.strand.broker.group..", "io.strand.broker.quota..", "io.strand.broker.share..")
            .should().dependOnClassesThat().resideInAPackage("io.strand.broker.api..")
            .allowEmptyShould(true);

    /**
     * The follower's fetcher sees partitions only through its own interfaces: the broker adapts its
     * partitions to it, never the other way round.
     */
    @ArchTest
    static final ArchRule replicaFetcherDependsOnNoOtherBrokerPackage = noClasses()
            .that().resideInAPackage("io.strand.broker.fetcher..")
            .should().dependOnClassesThat().resideInAnyPackage("io.strand.broker", "io.strand.broker.api..",
                    "io.strand.broker.replica..", "io.strand.broker.purgatory..", "io.strand.broker.network..",
                    "io.strand.broker.config..", "io.strand.broker.group..", "io.strand.broker.producer..",
                    "io.strand.broker.topic..", "io.strand.broker.controller..")
            .allowEmptyShould(true);

    /** The instrumentation points know nothing of the broker they instrument, so every part of it may record. */
    @ArchTest
    static final ArchRule brokerMetricsDependOnNoOtherBrokerPackage = noClasses()
            .that().resideInAPackage("io.strand.broker.metrics..")
            .should().dependOnClassesThat().resideInAnyPackage("io.strand.broker", "io.strand.broker.api..",
                    "io.strand.broker.replica..", "io.strand.broker.purgatory..", "io.strand.broker.network..",
                    "io.strand.broker.config..", "io.strand.broker.group..", "io.strand.broker.producer..",
                    "io.strand.broker.topic..", "io.strand.broker.controller..", "io.strand.broker.fetcher..")
            .allowEmptyShould(true);

    /** The HTTP side reaches the broker only through its public face (BrokerServer, readiness, metrics points). */
    @ArchTest
    static final ArchRule httpSideUsesOnlyTheBrokersPublicFace = noClasses()
            .that().resideInAnyPackage("io.strand.server.http..", "io.strand.server.metrics..")
            .should().dependOnClassesThat().resideInAnyPackage("io.strand.broker.api..", "io.strand.broker.replica..",
                    "io.strand.broker.network..", "io.strand.storage..", "io.strand.metadata..")
            .allowEmptyShould(true);

    @ArchTest
    static final ArchRule storagePackagesAreFreeOfCycles = slices().matching("io.strand.storage.(*)..")
            .should().beFreeOfCycles().allowEmptyShould(true);

    @ArchTest
    static final ArchRule metadataPackagesAreFreeOfCycles = slices().matching("io.strand.metadata.(*)..")
            .should().beFreeOfCycles().allowEmptyShould(true);

    @ArchTest
    static final ArchRule coordinatorPackagesAreFreeOfCycles = slices().matching("io.strand.coordinator.(*)..")
            .should().beFreeOfCycles().allowEmptyShould(true);

    @ArchTest
    static final ArchRule brokerPackagesAreFreeOfCycles = slices().matching("io.strand.broker.(*)..")
            .should().beFreeOfCycles().allowEmptyShould(true);

    @ArchTest
    static final ArchRule brokerApiAreasAreFreeOfCycles = slices().matching("io.strand.broker.api.(*)..")
            .should().beFreeOfCycles().allowEmptyShould(true);
}
