using static DistCacheAkka.Messages.Serialization.WireFields;

namespace DistCacheAkka.Messages.Serialization;

/// <summary>
/// Wire codecs of the batch commands (GetMany, SetMany: many keys of one shard) and their replies. WIRE INVARIANT:
/// append-only (see <see cref="CacheProtocolSerializer"/>).
/// </summary>
/// <remarks>
/// <code>
/// GM  GetMany             ShardId int, Keys list&lt;string&gt;, Consistency
/// GMS GetManySuccess      ShardId int, Found list&lt;Item&gt;, Missing list&lt;string&gt;
/// GMF GetManyFailure      ShardId int, Keys list&lt;string&gt;, Error
/// SM  SetMany             ShardId int, Items list&lt;KV&gt;, Expiry, Consistency
/// SMS SetManySuccess      ShardId int, Count int, LastVersion
/// SMF SetManyFailure      ShardId int, Keys list&lt;string&gt;, Error
/// </code>
/// Item = Key string, Value bytes, Version. KV = Key string, Value bytes.
/// </remarks>
internal static class BatchCodecs
{
    // Smallest encodings of list elements, for the count-versus-remaining check before allocating a list:
    // Item = empty key (1) + empty value (1) + version (1 + 1); KV = empty key (1) + empty value (1).
    private const int MinCacheItemBytes = 4;
    private const int MinKeyValueBytes = 2;

    public static readonly MessageCodec[] All =
    [
        MessageCodec.Of<GetMany>("GM",
            static (ref WireWriter w, GetMany m) =>
            {
                w.WriteVarInt32(m.ShardId);
                w.WriteStringList(m.Keys, "GetMany.Keys");
                WriteConsistency(ref w, m.Consistency, "GetMany.Consistency");
            },
            static (ref WireReader r) => new GetMany(r.ReadVarInt32(), r.ReadStringList(), ReadConsistency(ref r))),

        MessageCodec.Of<GetManySuccess>("GMS",
            static (ref WireWriter w, GetManySuccess m) =>
            {
                w.WriteVarInt32(m.ShardId);
                WriteCacheItems(ref w, m.Found, "GetManySuccess.Found");
                w.WriteStringList(m.Missing, "GetManySuccess.Missing");
            },
            static (ref WireReader r) => new GetManySuccess(r.ReadVarInt32(), ReadCacheItems(ref r), r.ReadStringList())),

        MessageCodec.Of<GetManyFailure>("GMF",
            static (ref WireWriter w, GetManyFailure m) =>
            {
                w.WriteVarInt32(m.ShardId);
                w.WriteStringList(m.Keys, "GetManyFailure.Keys");
                WriteError(ref w, m.Error, "GetManyFailure.Error");
            },
            static (ref WireReader r) => new GetManyFailure(r.ReadVarInt32(), r.ReadStringList(), ReadError(ref r))),

        MessageCodec.Of<SetMany>("SM",
            static (ref WireWriter w, SetMany m) =>
            {
                w.WriteVarInt32(m.ShardId);
                WriteKeyValues(ref w, m.Items, "SetMany.Items");
                WriteExpiry(ref w, m.Expiry, "SetMany.Expiry");
                WriteConsistency(ref w, m.Consistency, "SetMany.Consistency");
            },
            static (ref WireReader r) => new SetMany(r.ReadVarInt32(), ReadKeyValues(ref r), ReadExpiry(ref r), ReadConsistency(ref r))),

        MessageCodec.Of<SetManySuccess>("SMS",
            static (ref WireWriter w, SetManySuccess m) =>
            {
                w.WriteVarInt32(m.ShardId);
                w.WriteVarInt32(m.Count);
                w.WriteVersion(m.LastVersion);
            },
            static (ref WireReader r) => new SetManySuccess(r.ReadVarInt32(), r.ReadVarInt32(), r.ReadVersion())),

        MessageCodec.Of<SetManyFailure>("SMF",
            static (ref WireWriter w, SetManyFailure m) =>
            {
                w.WriteVarInt32(m.ShardId);
                w.WriteStringList(m.Keys, "SetManyFailure.Keys");
                WriteError(ref w, m.Error, "SetManyFailure.Error");
            },
            static (ref WireReader r) => new SetManyFailure(r.ReadVarInt32(), r.ReadStringList(), ReadError(ref r))),
    ];

    private static void WriteCacheItems(ref WireWriter w, IReadOnlyList<CacheItem>? items, string field)
    {
        if (items is null)
            WireWriter.ThrowNullField(field);
        var count = items.Count;
        w.WriteCount(count);
        // Indexer, not foreach: foreach over the interface would box the list's enumerator.
        for (var i = 0; i < count; i++)
        {
            var item = items[i] ?? throw NullElement(field, i);
            w.WriteString(item.Key, field);
            w.WriteBytes(item.Value, field);
            w.WriteVersion(item.Version);
        }
    }

    private static CacheItem[] ReadCacheItems(ref WireReader r)
    {
        var count = r.ReadCount(MinCacheItemBytes);
        if (count == 0)
            return [];
        var items = new CacheItem[count];
        for (var i = 0; i < items.Length; i++)
            items[i] = new CacheItem(r.ReadString(), r.ReadBytes(), r.ReadVersion());
        return items;
    }

    private static void WriteKeyValues(ref WireWriter w, IReadOnlyList<KeyValue>? items, string field)
    {
        if (items is null)
            WireWriter.ThrowNullField(field);
        var count = items.Count;
        w.WriteCount(count);
        for (var i = 0; i < count; i++)
        {
            var item = items[i] ?? throw NullElement(field, i);
            w.WriteString(item.Key, field);
            w.WriteBytes(item.Value, field);
        }
    }

    private static KeyValue[] ReadKeyValues(ref WireReader r)
    {
        var count = r.ReadCount(MinKeyValueBytes);
        if (count == 0)
            return [];
        var items = new KeyValue[count];
        for (var i = 0; i < items.Length; i++)
            items[i] = new KeyValue(r.ReadString(), r.ReadBytes());
        return items;
    }
}
