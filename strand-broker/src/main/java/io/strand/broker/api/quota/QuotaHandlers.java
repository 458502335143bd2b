package io.strand.broker.api.quota;

import io.strand.broker.controller.ControllerChannel;
import io.strand.broker.network.ApiHandler;
import io.strand.metadata.image.MetadataImage;
import java.util.List;
import java.util.function.Supplier;

/**
 * The client quota APIs of a broker, registered in one line: AlterClientQuotas (forwarded to the
 * active controller) and DescribeClientQuotas (answered from the image).
 */
public final class QuotaHandlers {

    private QuotaHandlers() {
    }

    public static List<ApiHandler<?>> all(Supplier<MetadataImage> image, ControllerChannel controller) {
        return List.of(new AlterClientQuotasHandler(controller), new DescribeClientQuotasHandler(image));
    }
}
