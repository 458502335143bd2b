package io.strand.broker.api.share;

import io.strand.broker.network.ApiHandler;
import io.strand.broker.share.ShareGroupAdmin;
import java.util.List;

/** The share group offsets administration APIs (KIP-932, 90–92), one handler each. */
public final class ShareAdminHandlers {

    private ShareAdminHandlers() {
    }

    public static List<ApiHandler<?>> all(ShareGroupAdmin admin) {
        return List.of(new DescribeShareGroupOffsetsHandler(admin), new AlterShareGroupOffsetsHandler(admin),
                new DeleteShareGroupOffsetsHandler(admin));
    }
}
