using System.Runtime.Serialization;
using static DistCacheAkka.Messages.Serialization.WireFields;

namespace DistCacheAkka.Messages.Serialization;

/// <summary>
/// Wire codecs of a client's session with the data nodes: registration, the nodes' topology reports, and event
/// subscriptions. WIRE INVARIANT: append-only (see <see cref="CacheProtocolSerializer"/>).
/// </summary>
/// <remarks>
/// <code>
/// TR  RegisterClient      (empty)
/// TN  NodeTopology        Reporter string, Version nat long, DataNodes list&lt;string&gt;, Unreachable list&lt;string&gt;,
///                         LocalShards list&lt;nat int&gt;   (read only: written by nodes before the data plane; DataPort 0)
/// TNP NodeTopology        the fields of TN, then DataPort nat int (0 .. 65535; 0: no data plane)
/// TE  SubscribeClientEvents Kinds list&lt;nat int&gt; (each a defined CacheEventKind)
/// TES ClientEventsSubscribed (empty)
/// TU  UnsubscribeClientEvents (empty)
/// </code>
/// </remarks>
internal static class ClientSessionCodecs
{
    public static readonly MessageCodec[] All =
    [
        MessageCodec.Of<RegisterClient>("TR",
            static (ref WireWriter _, RegisterClient _) => { },
            static (ref WireReader _) => RegisterClient.Instance),

        MessageCodec.ReadOnly<NodeTopology>("TN",
            static (ref WireReader r) => new NodeTopology(
                r.ReadString(),
                r.ReadNonNegativeVarInt64("NodeTopology.Version"),
                r.ReadStringList(),
                r.ReadStringList(),
                r.ReadNonNegativeInt32List("NodeTopology.LocalShards"))),

        MessageCodec.Of<NodeTopology>("TNP",
            static (ref WireWriter w, NodeTopology m) =>
            {
                w.WriteString(m.Reporter, "NodeTopology.Reporter");
                w.WriteNonNegativeVarInt64(m.Version, "NodeTopology.Version");
                w.WriteStringList(m.DataNodes, "NodeTopology.DataNodes");
                w.WriteStringList(m.Unreachable, "NodeTopology.Unreachable");
                w.WriteNonNegativeInt32List(m.LocalShards, "NodeTopology.LocalShards");
                if (m.DataPort > MaxPort)
                    throw new SerializationException($"Field NodeTopology.DataPort is {m.DataPort}, not a TCP port (0 .. {MaxPort}).");
                w.WriteNonNegativeVarInt32(m.DataPort, "NodeTopology.DataPort");
            },
            static (ref WireReader r) => new NodeTopology(
                r.ReadString(),
                r.ReadNonNegativeVarInt64("NodeTopology.Version"),
                r.ReadStringList(),
                r.ReadStringList(),
                r.ReadNonNegativeInt32List("NodeTopology.LocalShards"),
                ReadPort(ref r))),

        MessageCodec.Of<SubscribeClientEvents>("TE",
            static (ref WireWriter w, SubscribeClientEvents m) =>
            {
                if (m.Kinds is null)
                    WireWriter.ThrowNullField("SubscribeClientEvents.Kinds");
                w.WriteNonNegativeInt32List(m.Kinds.Select(k => (int)k).ToArray(), "SubscribeClientEvents.Kinds");
            },
            static (ref WireReader r) => new SubscribeClientEvents(ReadEventKinds(ref r))),

        MessageCodec.Of<ClientEventsSubscribed>("TES",
            static (ref WireWriter _, ClientEventsSubscribed _) => { },
            static (ref WireReader _) => ClientEventsSubscribed.Instance),

        MessageCodec.Of<UnsubscribeClientEvents>("TU",
            static (ref WireWriter _, UnsubscribeClientEvents _) => { },
            static (ref WireReader _) => UnsubscribeClientEvents.Instance),
    ];

    private const int MaxPort = 65535;

    private static int ReadPort(ref WireReader r)
    {
        var port = r.ReadNonNegativeVarInt32("NodeTopology.DataPort");
        if (port > MaxPort)
            r.Fail($"field NodeTopology.DataPort is {port}, not a TCP port (0 .. {MaxPort})");
        return port;
    }

    private static CacheEventKind[] ReadEventKinds(ref WireReader r)
    {
        var values = r.ReadNonNegativeInt32List("SubscribeClientEvents.Kinds");
        var kinds = new CacheEventKind[values.Length];
        for (var i = 0; i < values.Length; i++)
        {
            if (values[i] > MaxEventKind)
                throw new SerializationException($"Field SubscribeClientEvents.Kinds[{i}] is {values[i]}, not a defined CacheEventKind.");
            kinds[i] = (CacheEventKind)values[i];
        }
        return kinds;
    }
}
