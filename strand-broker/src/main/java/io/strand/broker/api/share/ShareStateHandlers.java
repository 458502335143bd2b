package io.strand.broker.api.share;

import io.strand.broker.network.ApiHandler;
import io.strand.coordinator.share.ShareCoordinator;
import java.util.List;

/** The share coordinator's APIs (KIP-932's share-state RPCs, 83–87), one handler each. */
public final class ShareStateHandlers {

    private ShareStateHandlers() {
    }

    public static List<ApiHandler<?>> all(ShareCoordinator coordinator) {
        return List.of(new InitializeShareGroupStateHandler(coordinator), new ReadShareGroupStateHandler(coordinator),
                new WriteShareGroupStateHandler(coordinator), new DeleteShareGroupStateHandler(coordinator),
                new ReadShareGroupStateSummaryHandler(coordinator));
    }
}
