package ai.meridian.adapter.out.lucene;

import ai.meridian.domain.knowledge.DocumentMetadata;
import ai.meridian.domain.knowledge.MetadataCondition;
import ai.meridian.domain.knowledge.MetadataFilter;
import ai.meridian.domain.knowledge.MetadataValue;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.lucene.document.Document;
import org.apache.lucene.document.DoublePoint;
import org.apache.lucene.document.Field;
import org.apache.lucene.document.LongPoint;
import org.apache.lucene.document.StoredField;
import org.apache.lucene.document.StringField;
import org.apache.lucene.index.Term;
import org.apache.lucene.search.BooleanClause.Occur;
import org.apache.lucene.search.BooleanQuery;
import org.apache.lucene.search.MatchAllDocsQuery;
import org.apache.lucene.search.MatchNoDocsQuery;
import org.apache.lucene.search.PrefixQuery;
import org.apache.lucene.search.Query;
import org.apache.lucene.search.TermQuery;
import org.apache.lucene.search.WildcardQuery;
import org.apache.lucene.util.BytesRef;

/**
 * A document's metadata in a chunk's Lucene document, and metadata filters as Lucene queries, with exactly the
 * semantics of {@link MetadataCondition#matches}:
 * <ul>
 * <li>{@code m.<key>}: each string as it is (is, is not); {@code mf.<key>}: lower-cased (contains, start with,
 * end with, as wildcard and prefix queries);</li>
 * <li>{@code mn.<key>}: numbers as double points; {@code md.<key>}: dates as epoch-millisecond long points;</li>
 * <li>{@code mk}: the keys whose value is not empty (empty, not empty);</li>
 * <li>{@code meta}: the whole metadata, stored, so hits carry it.</li>
 * </ul>
 */
final class MetadataFields {
    static final String STORED = "meta";
    static final String KEYS = "mk";

    private MetadataFields() {
    }

    static void add(Document doc, DocumentMetadata metadata) {
        if (metadata.isEmpty()) {
            return;
        }
        doc.add(new StoredField(STORED, new BytesRef(encode(metadata))));
        metadata.values().forEach((key, value) -> {
            if (!value.isEmpty()) {
                doc.add(new StringField(KEYS, key, Field.Store.NO));
            }
            if (value instanceof MetadataValue.Text text) {
                for (String s : text.values()) {
                    doc.add(new StringField("m." + key, s, Field.Store.NO));
                    doc.add(new StringField("mf." + key, MetadataCondition.fold(s), Field.Store.NO));
                }
            } else if (value instanceof MetadataValue.Number n) {
                doc.add(new DoublePoint("mn." + key, n.value()));
            } else {
                doc.add(new LongPoint("md." + key, ((MetadataValue.Date) value).value().toEpochMilli()));
            }
        });
    }

    static DocumentMetadata read(Document doc) {
        BytesRef bytes = doc.getBinaryValue(STORED);
        return bytes == null ? DocumentMetadata.EMPTY : decode(bytes);
    }

    /** The filter as a query matching exactly the chunks whose metadata passes it (null: no filter). */
    static Query query(MetadataFilter filter) {
        if (filter.isNone()) {
            return null;
        }
        BooleanQuery.Builder all = new BooleanQuery.Builder();
        for (MetadataCondition condition : filter.conditions()) {
            all.add(query(condition), filter.logic() == MetadataFilter.Logic.AND ? Occur.FILTER : Occur.SHOULD);
        }
        if (filter.logic() == MetadataFilter.Logic.OR) {
            all.setMinimumNumberShouldMatch(1);
        }
        return all.build();
    }

    static Query query(MetadataCondition c) {
        String key = c.key();
        return switch (c.operator()) {
            case IS -> equal(c);
            case IS_NOT -> not(equal(c));
            case CONTAINS -> new WildcardQuery(new Term("mf." + key, "*" + escape(c.folded()) + "*"));
            case NOT_CONTAINS -> not(new WildcardQuery(new Term("mf." + key, "*" + escape(c.folded()) + "*")));
            case START_WITH -> new PrefixQuery(new Term("mf." + key, c.folded()));
            case END_WITH -> new WildcardQuery(new Term("mf." + key, "*" + escape(c.folded())));
            case EMPTY -> not(new TermQuery(new Term(KEYS, key)));
            case NOT_EMPTY -> new TermQuery(new Term(KEYS, key));
            case GREATER, LESS, GREATER_OR_EQUAL, LESS_OR_EQUAL -> ordered(c);
            case BEFORE -> LongPoint.newRangeQuery("md." + key, Long.MIN_VALUE, c.date().orElseThrow().toEpochMilli() - 1);
            case AFTER -> LongPoint.newRangeQuery("md." + key, c.date().orElseThrow().toEpochMilli() + 1, Long.MAX_VALUE);
        };
    }

    private static Query equal(MetadataCondition c) {
        BooleanQuery.Builder any = new BooleanQuery.Builder().add(new TermQuery(new Term("m." + c.key(), c.value())), Occur.SHOULD);
        c.number().ifPresent(n -> any.add(DoublePoint.newExactQuery("mn." + c.key(), n), Occur.SHOULD));
        c.date().ifPresent(d -> any.add(LongPoint.newExactQuery("md." + c.key(), d.toEpochMilli()), Occur.SHOULD));
        return any.build();
    }

    private static Query ordered(MetadataCondition c) {
        BooleanQuery.Builder any = new BooleanQuery.Builder();
        Optional<Double> number = c.number();
        Optional<Instant> date = c.date();
        number.ifPresent(n -> any.add(switch (c.operator()) {
            case GREATER -> DoublePoint.newRangeQuery("mn." + c.key(), Math.nextUp(n), Double.POSITIVE_INFINITY);
            case LESS -> DoublePoint.newRangeQuery("mn." + c.key(), Double.NEGATIVE_INFINITY, Math.nextDown(n));
            case GREATER_OR_EQUAL -> DoublePoint.newRangeQuery("mn." + c.key(), n, Double.POSITIVE_INFINITY);
            default -> DoublePoint.newRangeQuery("mn." + c.key(), Double.NEGATIVE_INFINITY, n);
        }, Occur.SHOULD));
        date.ifPresent(d -> {
            long t = d.toEpochMilli();
            any.add(switch (c.operator()) {
                case GREATER -> LongPoint.newRangeQuery("md." + c.key(), t + 1, Long.MAX_VALUE);
                case LESS -> LongPoint.newRangeQuery("md." + c.key(), Long.MIN_VALUE, t - 1);
                case GREATER_OR_EQUAL -> LongPoint.newRangeQuery("md." + c.key(), t, Long.MAX_VALUE);
                default -> LongPoint.newRangeQuery("md." + c.key(), Long.MIN_VALUE, t);
            }, Occur.SHOULD);
        });
        return number.isEmpty() && date.isEmpty() ? new MatchNoDocsQuery() : any.build();
    }

    private static Query not(Query query) {
        return new BooleanQuery.Builder().add(new MatchAllDocsQuery(), Occur.FILTER).add(query, Occur.MUST_NOT).build();
    }

    /** Wildcard syntax characters in a value are literal. */
    private static String escape(String value) {
        StringBuilder out = new StringBuilder(value.length());
        for (int i = 0; i < value.length(); i++) {
            char ch = value.charAt(i);
            if (ch == '*' || ch == '?' || ch == '\\') {
                out.append('\\');
            }
            out.append(ch);
        }
        return out.toString();
    }

    static byte[] encode(DocumentMetadata metadata) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeInt(metadata.values().size());
            for (Map.Entry<String, MetadataValue> e : metadata.values().entrySet()) {
                out.writeUTF(e.getKey());
                if (e.getValue() instanceof MetadataValue.Text text) {
                    out.writeByte('t');
                    out.writeInt(text.values().size());
                    for (String s : text.values()) {
                        byte[] utf8 = s.getBytes(java.nio.charset.StandardCharsets.UTF_8);
                        out.writeInt(utf8.length);
                        out.write(utf8);
                    }
                } else if (e.getValue() instanceof MetadataValue.Number n) {
                    out.writeByte('n');
                    out.writeDouble(n.value());
                } else {
                    out.writeByte('d');
                    out.writeLong(((MetadataValue.Date) e.getValue()).value().toEpochMilli());
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    static DocumentMetadata decode(BytesRef ref) {
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(ref.bytes, ref.offset, ref.length))) {
            int keys = in.readInt();
            Map<String, MetadataValue> values = new LinkedHashMap<>();
            for (int i = 0; i < keys; i++) {
                String key = in.readUTF();
                int kind = in.readByte();
                if (kind == 't') {
                    int count = in.readInt();
                    String[] strings = new String[count];
                    for (int k = 0; k < count; k++) {
                        byte[] utf8 = new byte[in.readInt()];
                        in.readFully(utf8);
                        strings[k] = new String(utf8, java.nio.charset.StandardCharsets.UTF_8);
                    }
                    values.put(key, new MetadataValue.Text(List.of(strings)));
                } else if (kind == 'n') {
                    values.put(key, new MetadataValue.Number(in.readDouble()));
                } else {
                    values.put(key, new MetadataValue.Date(Instant.ofEpochMilli(in.readLong())));
                }
            }
            return new DocumentMetadata(values);
        } catch (IOException e) {
            throw new UncheckedIOException("unreadable stored metadata", e);
        }
    }
}
