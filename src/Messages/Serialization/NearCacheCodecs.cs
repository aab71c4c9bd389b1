using System.Runtime.Serialization;

namespace DistCacheAkka.Messages.Serialization;

/// <summary>
/// Wire codecs of the near-cache protocol: the near-cache read, the invalidation-feed subscription and the feed.
/// WIRE INVARIANT: append-only (see <see cref="CacheProtocolSerializer"/>).
/// </summary>
/// <remarks>
/// <code>
/// NG  NearGet             Key
/// NGS NearGetSuccess      Key, Value, Version, Stream long, TimeToLive TimeSpan
/// NS  SubscribeInvalidations (empty)
/// NF  NearCacheFeed       Reporter string, Sequence nat long, Changes list&lt;Change&gt;, HasSnapshot bool,
///                         Snapshot list&lt;Stream&gt;
/// </code>
/// Change = Kind (one byte, a defined StreamChangeKind), Shard nat int, Stream long, Sequence nat long, Key string,
/// Version. Stream = Shard nat int, Stream long, Sequence nat long.
/// </remarks>
internal static class NearCacheCodecs
{
    private const byte MaxStreamChangeKind = (byte)StreamChangeKind.Stopped;

    // Change = kind (1) + shard (1) + stream (1) + sequence (1) + empty key (1) + version (2); Stream = 3.
    private const int MinChangeBytes = 7;
    private const int MinStreamBytes = 3;

    public static readonly MessageCodec[] All =
    [
        MessageCodec.Of<NearGet>("NG",
            static (ref WireWriter w, NearGet m) => w.WriteString(m.Key, "NearGet.Key"),
            static (ref WireReader r) => new NearGet(r.ReadString())),

        MessageCodec.Of<NearGetSuccess>("NGS",
            static (ref WireWriter w, NearGetSuccess m) =>
            {
                w.WriteString(m.Key, "NearGetSuccess.Key");
                w.WriteBytes(m.Value, "NearGetSuccess.Value");
                w.WriteVersion(m.Version);
                w.WriteVarInt64(m.Stream);
                w.WriteTimeSpan(m.TimeToLive);
            },
            static (ref WireReader r) => new NearGetSuccess(r.ReadString(), r.ReadBytes(), r.ReadVersion(), r.ReadVarInt64(), r.ReadTimeSpan())),

        MessageCodec.Of<SubscribeInvalidations>("NS",
            static (ref WireWriter _, SubscribeInvalidations _) => { },
            static (ref WireReader _) => SubscribeInvalidations.Instance),

        MessageCodec.Of<NearCacheFeed>("NF",
            static (ref WireWriter w, NearCacheFeed m) =>
            {
                w.WriteString(m.Reporter, "NearCacheFeed.Reporter");
                w.WriteNonNegativeVarInt64(m.Sequence, "NearCacheFeed.Sequence");
                WriteChanges(ref w, m.Changes);
                w.WriteBool(m.HasSnapshot);
                WriteStreams(ref w, m.Snapshot);
            },
            static (ref WireReader r) => new NearCacheFeed(
                r.ReadString(),
                r.ReadNonNegativeVarInt64("NearCacheFeed.Sequence"),
                ReadChanges(ref r),
                r.ReadBool(),
                ReadStreams(ref r))),
    ];

    private static void WriteChanges(ref WireWriter w, IReadOnlyList<StreamChange>? changes)
    {
        const string field = "NearCacheFeed.Changes";
        if (changes is null)
            WireWriter.ThrowNullField(field);
        w.WriteCount(changes.Count);
        for (var i = 0; i < changes.Count; i++)
        {
            var change = changes[i] ?? throw new SerializationException($"Field {field}[{i}] is null.");
            WireFields.WriteEnum(ref w, (byte)change.Kind, MaxStreamChangeKind, field);
            w.WriteNonNegativeVarInt32(change.Shard, field);
            w.WriteVarInt64(change.Stream);
            w.WriteNonNegativeVarInt64(change.Sequence, field);
            w.WriteString(change.Key, field);
            w.WriteVersion(change.Version);
        }
    }

    private static StreamChange[] ReadChanges(ref WireReader r)
    {
        var count = r.ReadCount(MinChangeBytes);
        if (count == 0)
            return [];
        var changes = new StreamChange[count];
        for (var i = 0; i < changes.Length; i++)
        {
            changes[i] = new StreamChange(
                (StreamChangeKind)r.ReadEnum(MaxStreamChangeKind, nameof(StreamChangeKind)),
                r.ReadNonNegativeVarInt32("StreamChange.Shard"),
                r.ReadVarInt64(),
                r.ReadNonNegativeVarInt64("StreamChange.Sequence"),
                r.ReadString(),
                r.ReadVersion());
        }
        return changes;
    }

    private static void WriteStreams(ref WireWriter w, IReadOnlyList<ShardStream>? streams)
    {
        const string field = "NearCacheFeed.Snapshot";
        if (streams is null)
            WireWriter.ThrowNullField(field);
        w.WriteCount(streams.Count);
        for (var i = 0; i < streams.Count; i++)
        {
            w.WriteNonNegativeVarInt32(streams[i].Shard, field);
            w.WriteVarInt64(streams[i].Stream);
            w.WriteNonNegativeVarInt64(streams[i].Sequence, field);
        }
    }

    private static ShardStream[] ReadStreams(ref WireReader r)
    {
        var count = r.ReadCount(MinStreamBytes);
        var streams = new ShardStream[count];
        for (var i = 0; i < streams.Length; i++)
            streams[i] = new ShardStream(r.ReadNonNegativeVarInt32("ShardStream.Shard"), r.ReadVarInt64(), r.ReadNonNegativeVarInt64("ShardStream.Sequence"));
        return streams;
    }
}
