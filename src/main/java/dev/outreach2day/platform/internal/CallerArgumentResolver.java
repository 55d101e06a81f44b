package dev.outreach2day.platform.internal;

import dev.outreach2day.platform.ApiException;
import dev.outreach2day.platform.Caller;
import org.springframework.core.MethodParameter;
import org.springframework.web.bind.support.WebDataBinderFactory;
import org.springframework.web.context.request.NativeWebRequest;
import org.springframework.web.context.request.RequestAttributes;
import org.springframework.web.method.support.HandlerMethodArgumentResolver;
import org.springframework.web.method.support.ModelAndViewContainer;

/** Lets controllers declare a {@link Caller} parameter for the authenticated key. */
class CallerArgumentResolver implements HandlerMethodArgumentResolver {

    @Override
    public boolean supportsParameter(MethodParameter parameter) {
        return parameter.getParameterType() == Caller.class;
    }

    @Override
    public Object resolveArgument(MethodParameter parameter, ModelAndViewContainer mav, NativeWebRequest request,
            WebDataBinderFactory binderFactory) {
        Object caller = request.getAttribute(AuthFilter.CALLER, RequestAttributes.SCOPE_REQUEST);
        if (caller == null) {
            throw new ApiException.Unauthorized("AUTH_REQUIRED", "Missing API key: send the header Authorization: Bearer ot2d_…");
        }
        return caller;
    }
}
