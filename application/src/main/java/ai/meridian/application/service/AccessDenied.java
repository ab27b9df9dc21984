package ai.meridian.application.service;

import ai.meridian.application.port.in.CallerContext;
import ai.meridian.domain.error.ErrorKind;
import ai.meridian.domain.error.GatewayError;
import ai.meridian.domain.error.GatewayException;
import ai.meridian.domain.tenancy.Action;

/** The errors of access control, worded the same on every door: 403 for what the key may not do, 404 for what it cannot see. */
final class AccessDenied {
    private AccessDenied() {
    }

    /** Fails unless the caller's role permits {@code action}. */
    static void require(CallerContext caller, Action action) {
        if (!caller.access().permits(action)) {
            throw forbidden(action);
        }
    }

    static GatewayException forbidden(Action action) {
        String message = switch (action) {
            case READ -> "This key may not read this resource.";
            case WRITE -> "This key is read-only: it may not create, change or delete anything.";
            case USE_MODELS -> "This key is read-only: it may not call models.";
            case ADMINISTER -> "This key may not use the admin API: it needs the admin role.";
        };
        return new GatewayException(new GatewayError(ErrorKind.PERMISSION, message, null, "permission_denied", null));
    }

    static GatewayException forbidden(String message, String param, String code) {
        return new GatewayException(new GatewayError(ErrorKind.PERMISSION, message, param, code, null));
    }

    static GatewayException notFound(String what) {
        return new GatewayException(new GatewayError(ErrorKind.NOT_FOUND, what, null, "not_found", null));
    }
}
