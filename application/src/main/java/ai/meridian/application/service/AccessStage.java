package ai.meridian.application.service;

import ai.meridian.domain.retrieval.GroundingSettings;
import ai.meridian.domain.tenancy.Access;
import ai.meridian.domain.tenancy.Action;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * First stage of every chat request, whichever door it came through: the key's role must allow model calls, the
 * model must be one the key may use, and so must every knowledge base the request names. Refusals are 403s and
 * happen before anything is read or any limit is counted.
 */
public final class AccessStage implements ChatStage {

    @Override
    public CompletableFuture<ChatContext> prepare(ChatContext context) {
        try {
            check(context);
            return CompletableFuture.completedFuture(context);
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    private static void check(ChatContext context) {
        Access access = context.command().caller().access();
        if (!access.permits(Action.USE_MODELS)) {
            throw AccessDenied.forbidden(Action.USE_MODELS);
        }
        String requested = context.command().request().model();
        if (!access.mayUseModel(requested, context.model().id())) {
            throw AccessDenied.forbidden("This key may not use the model '" + requested + "'.", "model", "model_not_allowed");
        }
        if (context.command().conversation().isPresent() && !access.permits(Action.WRITE)) {
            throw AccessDenied.forbidden(Action.WRITE);
        }
        List<String> named = context.command().request().grounding().knowledgeBases().orElse(List.of());
        for (String base : named) {
            if (!base.equals(GroundingSettings.ALL_KNOWLEDGE_BASES) && !access.mayUseKnowledgeBase(base)) {
                throw AccessDenied.forbidden("This key may not use the knowledge base '" + base + "'.", "knowledge_bases",
                        "knowledge_base_not_allowed");
            }
        }
    }
}
