package dev.outreach2day.platform.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.outreach2day.platform.Caller;
import dev.outreach2day.platform.Scope;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.springframework.mock.web.MockFilterChain;
import org.springframework.mock.web.MockHttpServletRequest;
import org.springframework.mock.web.MockHttpServletResponse;
import tools.jackson.databind.json.JsonMapper;

class RateLimitFilterTest {

    private final AtomicLong now = new AtomicLong(1_000_000_000L);
    private final RateLimitFilter filter =
            new RateLimitFilter(2.0, 3, now::get, new ErrorWriter(JsonMapper.builder().build()));

    private MockHttpServletResponse call(String keyId) throws Exception {
        var request = new MockHttpServletRequest("GET", "/workspaces");
        request.setAttribute(AuthFilter.CALLER, new Caller(keyId, 1, 1, Set.of(Scope.READ)));
        var response = new MockHttpServletResponse();
        filter.doFilter(request, response, new MockFilterChain());
        return response;
    }

    @Test
    void burstThenRefusedWithRetryAfterThenRefilled() throws Exception {
        for (int i = 0; i < 3; i++) {
            assertThat(call("key_a").getStatus()).isEqualTo(200);
        }
        var refused = call("key_a");
        assertThat(refused.getStatus()).isEqualTo(429);
        assertThat(refused.getHeader("Retry-After")).isEqualTo("1");
        assertThat(refused.getContentAsString()).contains("\"code\":\"RATE_LIMITED\"");

        now.addAndGet(500_000_000L); // 0.5 s at 2/s = one token
        assertThat(call("key_a").getStatus()).isEqualTo(200);
        assertThat(call("key_a").getStatus()).isEqualTo(429);
    }

    @Test
    void eachKeyHasItsOwnBucket() throws Exception {
        for (int i = 0; i < 3; i++) call("key_b");
        assertThat(call("key_b").getStatus()).isEqualTo(429);
        assertThat(call("key_c").getStatus()).isEqualTo(200);
    }
}
