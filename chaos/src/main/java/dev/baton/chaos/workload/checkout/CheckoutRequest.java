package dev.baton.chaos.workload.checkout;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.util.ArrayList;
import java.util.List;

/** A validated {@code POST /checkout} body. */
public record CheckoutRequest(long shopId, List<Item> items, String idempotencyKey) {

    /** The orders table's idem_key column is VARCHAR(64). */
    public static final int MAX_KEY_LENGTH = 64;

    public record Item(String sku, int qty, long priceCents) {
    }

    public CheckoutRequest {
        items = List.copyOf(items);
    }

    public long totalCents() {
        return items.stream().mapToLong(i -> i.qty() * i.priceCents()).sum();
    }

    /** Input a checkout refuses; {@code field} names the offending JSON field (e.g. {@code items[1].qty}). */
    public static final class InvalidCheckout extends Exception {
        private final String field;

        InvalidCheckout(String field, String problem) {
            super(field + ": " + problem);
            this.field = field;
        }

        public String field() {
            return field;
        }
    }

    public static CheckoutRequest parse(ObjectMapper json, String body) throws InvalidCheckout {
        JsonNode root;
        try {
            root = json.readTree(body);
        } catch (JsonProcessingException e) {
            throw new InvalidCheckout("body", "not valid JSON: " + e.getOriginalMessage());
        }
        if (root == null || !root.isObject()) throw new InvalidCheckout("body", "must be a JSON object");

        long shopId = positiveLong(root.get("shopId"), "shopId");
        JsonNode itemsNode = root.get("items");
        if (itemsNode == null || !itemsNode.isArray()) throw new InvalidCheckout("items", "must be an array");
        if (itemsNode.isEmpty()) throw new InvalidCheckout("items", "must not be empty");
        List<Item> items = new ArrayList<>();
        for (int i = 0; i < itemsNode.size(); i++) {
            items.add(item(itemsNode.get(i), "items[" + i + "]"));
        }
        JsonNode keyNode = root.get("idempotencyKey");
        if (keyNode == null || !keyNode.isTextual() || keyNode.asText().isBlank()) {
            throw new InvalidCheckout("idempotencyKey", "must be a non-empty string");
        }
        String key = keyNode.asText();
        if (key.length() > MAX_KEY_LENGTH) {
            throw new InvalidCheckout("idempotencyKey", "longer than " + MAX_KEY_LENGTH + " characters");
        }
        return new CheckoutRequest(shopId, items, key);
    }

    private static Item item(JsonNode node, String path) throws InvalidCheckout {
        if (node == null || !node.isObject()) throw new InvalidCheckout(path, "must be an object");
        JsonNode sku = node.get("sku");
        if (sku == null || !sku.isTextual() || sku.asText().isBlank()) {
            throw new InvalidCheckout(path + ".sku", "must be a non-empty string");
        }
        long qty = positiveLong(node.get("qty"), path + ".qty");
        if (qty > Integer.MAX_VALUE) throw new InvalidCheckout(path + ".qty", "too large");
        JsonNode price = node.get("priceCents");
        if (price == null || !price.canConvertToLong() || !price.isIntegralNumber() || price.asLong() < 0) {
            throw new InvalidCheckout(path + ".priceCents", "must be a non-negative integer");
        }
        return new Item(sku.asText(), (int) qty, price.asLong());
    }

    private static long positiveLong(JsonNode node, String field) throws InvalidCheckout {
        if (node == null || node.isNull()) throw new InvalidCheckout(field, "missing");
        if (!node.isIntegralNumber() || !node.canConvertToLong() || node.asLong() < 1) {
            throw new InvalidCheckout(field, "must be a positive integer");
        }
        return node.asLong();
    }
}
