package dev.outreach2day.platform.internal;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Turns a bean-validation property path on a request record ({@code mailboxes[0].firstName})
 * into the contract's {@code loc} with the JSON names the client sent
 * ({@code ["body","mailboxes",0,"firstName"]}, {@code project_name} for {@code projectName}).
 */
final class JsonNames {

    private static final Pattern SEGMENT = Pattern.compile("([^.\\[\\]]+)|\\[(\\d+)]|\\[([^\\]]*)]");

    private JsonNames() {}

    static List<Object> bodyLoc(Class<?> root, String path) {
        List<Object> loc = new ArrayList<>();
        loc.add("body");
        Type current = root;
        Matcher m = SEGMENT.matcher(path);
        while (m.find()) {
            if (m.group(2) != null) {
                loc.add(Integer.parseInt(m.group(2)));
                current = elementType(current);
            } else if (m.group(3) != null) {
                loc.add(m.group(3));
                current = elementType(current);
            } else {
                String javaName = m.group(1);
                Class<?> raw = raw(current);
                RecordComponent component = null;
                if (raw != null && raw.isRecord()) {
                    for (RecordComponent rc : raw.getRecordComponents()) {
                        if (rc.getName().equals(javaName)) component = rc;
                    }
                }
                if (component == null) {
                    loc.add(javaName);
                    current = null;
                } else {
                    // @JsonProperty cannot target record components; it lands on the accessor and the field.
                    JsonProperty prop = component.getAccessor().getAnnotation(JsonProperty.class);
                    loc.add(prop != null && !prop.value().isEmpty() ? prop.value() : javaName);
                    current = component.getGenericType();
                }
            }
        }
        return loc;
    }

    private static Class<?> raw(Type t) {
        if (t instanceof Class<?> c) return c;
        if (t instanceof ParameterizedType p && p.getRawType() instanceof Class<?> c) return c;
        return null;
    }

    private static Type elementType(Type t) {
        Class<?> raw = raw(t);
        if (raw != null && raw.isArray()) return raw.getComponentType();
        if (t instanceof ParameterizedType p && raw != null) {
            Type[] args = p.getActualTypeArguments();
            if (Collection.class.isAssignableFrom(raw) && args.length == 1) return args[0];
            if (Map.class.isAssignableFrom(raw) && args.length == 2) return args[1];
        }
        return null;
    }
}
