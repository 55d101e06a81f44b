package dev.outreach2day.platform.internal;

import dev.outreach2day.platform.ApiKeyAuthenticator;
import dev.outreach2day.platform.FilterOrder;
import dev.outreach2day.platform.O2dProperties;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import org.springframework.boot.jackson.autoconfigure.JsonMapperBuilderCustomizer;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.scheduling.annotation.EnableScheduling;
import org.springframework.web.method.support.HandlerMethodArgumentResolver;
import org.springframework.web.servlet.config.annotation.InterceptorRegistry;
import org.springframework.web.servlet.config.annotation.WebMvcConfigurer;
import tools.jackson.core.JsonGenerator;
import tools.jackson.databind.MapperFeature;
import tools.jackson.databind.SerializationContext;
import tools.jackson.databind.cfg.CoercionAction;
import tools.jackson.databind.cfg.CoercionInputShape;
import tools.jackson.databind.module.SimpleModule;
import tools.jackson.databind.ser.std.StdSerializer;
import tools.jackson.databind.type.LogicalType;

/**
 * The request pipeline, in order: request id → body size → API key → rate limit → idempotency
 * → Spring MVC (scope check, controller, error advice).
 */
@Configuration(proxyBeanMethods = false)
@EnableScheduling
class WebConfig implements WebMvcConfigurer {

    @Bean
    Clock clock() {
        return Clock.systemUTC();
    }

    @Bean
    FilterRegistrationBean<RequestIdFilter> requestIdFilter() {
        return register(new RequestIdFilter(), FilterOrder.REQUEST_ID);
    }

    @Bean
    FilterRegistrationBean<BodySizeFilter> bodySizeFilter(O2dProperties props, ErrorWriter errors) {
        return register(new BodySizeFilter(props.api().maxBodyBytes(), errors), FilterOrder.BODY_SIZE);
    }

    @Bean
    FilterRegistrationBean<AuthFilter> authFilter(ApiKeyAuthenticator authenticator, ErrorWriter errors) {
        return register(new AuthFilter(authenticator, errors), FilterOrder.AUTH);
    }

    @Bean
    FilterRegistrationBean<RateLimitFilter> rateLimitFilter(O2dProperties props, ErrorWriter errors) {
        return register(new RateLimitFilter(props.api().rateLimitRps(), props.api().rateLimitBurst(), System::nanoTime, errors),
                FilterOrder.RATE_LIMIT);
    }

    @Bean
    FilterRegistrationBean<IdempotencyFilter> idempotencyFilter(IdempotencyStore store, ErrorWriter errors,
            O2dProperties props) {
        return register(new IdempotencyFilter(store, errors, props.api().idempotencyHours()), FilterOrder.IDEMPOTENCY);
    }

    private static <F extends jakarta.servlet.Filter> FilterRegistrationBean<F> register(F filter, int order) {
        var bean = new FilterRegistrationBean<>(filter);
        bean.setOrder(order);
        bean.addUrlPatterns("/*");
        return bean;
    }

    @Override
    public void addInterceptors(InterceptorRegistry registry) {
        registry.addInterceptor(new ScopeInterceptor());
    }

    @Override
    public void addArgumentResolvers(List<HandlerMethodArgumentResolver> resolvers) {
        resolvers.add(new CallerArgumentResolver());
    }

    /**
     * JSON as the contract wants it: times as {@code 2026-03-09T14:30:00Z} (UTC, whole seconds),
     * and no silent coercion between strings, numbers and booleans (a wrong type is a 422).
     */
    @Bean
    JsonMapperBuilderCustomizer contractJson() {
        return builder -> builder
                .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
                .withCoercionConfig(LogicalType.Textual, c -> c
                        .setCoercion(CoercionInputShape.Integer, CoercionAction.Fail)
                        .setCoercion(CoercionInputShape.Float, CoercionAction.Fail)
                        .setCoercion(CoercionInputShape.Boolean, CoercionAction.Fail))
                .withCoercionConfig(LogicalType.Boolean, c -> c
                        .setCoercion(CoercionInputShape.Integer, CoercionAction.Fail)
                        .setCoercion(CoercionInputShape.String, CoercionAction.Fail))
                .withCoercionConfig(LogicalType.Integer, c -> c
                        .setCoercion(CoercionInputShape.String, CoercionAction.Fail)
                        .setCoercion(CoercionInputShape.Float, CoercionAction.Fail))
                .addModule(new SimpleModule("o2d-time").addSerializer(Instant.class, new SecondsInstantSerializer()));
    }

    static final class SecondsInstantSerializer extends StdSerializer<Instant> {
        SecondsInstantSerializer() {
            super(Instant.class);
        }

        @Override
        public void serialize(Instant value, JsonGenerator gen, SerializationContext ctxt) {
            gen.writeString(value.truncatedTo(ChronoUnit.SECONDS).toString());
        }
    }
}
