using System.Collections.Frozen;
using System.Runtime.Serialization;
using Akka.Actor;
using Akka.Configuration;
using Akka.Serialization;

namespace DistCacheAkka.Messages.Serialization;

/// <summary>
/// Akka serializer of every <see cref="ICacheMessage"/>: a hand-written, span-based binary format with one short
/// string manifest per concrete record. No reflection and no general-purpose serializer: the format is explicit,
/// compact, fast, and safe on untrusted input (see <see cref="FromBinary"/>).
/// </summary>
/// <remarks>
/// <para><b>WIRE INVARIANT (append-only).</b> Nodes and clients of different versions talk to each other, so the
/// identifier, every manifest string, and the field layout of every manifest (the layouts below) are frozen once
/// released. To change a message, add a NEW record with a NEW manifest (old ones keep decoding); never reuse, rename
/// or reorder a manifest or its fields, and never renumber an enum value (they are one byte on the wire).</para>
/// <para>Primitive encodings (<see cref="WireWriter"/> / <see cref="WireReader"/>):</para>
/// <list type="bullet">
/// <item>len / count: unsigned LEB128 varint (≤ 10 bytes). int / long: zig-zag then LEB128.</item>
/// <item>string: len (UTF-8 byte count) + strict UTF-8; never null. bytes: len + raw bytes; never null.</item>
/// <item>bool: one byte, 0 or 1. enum: one byte, a defined value.</item>
/// <item>TimeSpan: ticks as zig-zag long. DateTimeOffset: UTC ticks as unsigned varint + offset minutes as
/// zig-zag int. EntryVersion: Epoch, Sequence as zig-zag longs.</item>
/// <item>Expiry = ExpiryKind enum, Duration TimeSpan. Error = CacheErrorCode enum, Message string,
/// AcksReceived int, AcksRequired int, Timeout TimeSpan.</item>
/// <item>list&lt;T&gt;: count + elements. The elements that are records of their own (Item and KV of the batches,
/// Entry of replication) are described with the family that uses them.</item>
/// <item>nat int / nat long: an int / long encoded exactly as above (zig-zag) whose value the protocol defines as
/// non-negative (ids, counts, bucket indices, ticks). A negative value is refused by the writer (naming the field)
/// and rejected by the reader as malformed.</item>
/// <item>u64: fixed 8 bytes, little-endian. Used for digests: hash bits are uniform, so a varint would nearly always
/// take 9–10 bytes, and a fixed width makes the count check exact (8 bytes per element).</item>
/// </list>
/// <para>Layouts (fields in order, nothing else, no trailing bytes) sit with the code that writes and reads them, one
/// family of messages per file; each family's remarks hold its part of the table:</para>
/// <code>
/// G GS GN GF S SS SF R RS RF          single-key commands and replies    <see cref="KeyCommandCodecs"/>
/// GM GMS GMF SM SMS SMF               batches of one shard               <see cref="BatchCodecs"/>
/// ST STS                              stats                              <see cref="StatsCodecs"/>
/// EJ EL EK ER EF EB                   cache events                       <see cref="EventCodecs"/>
/// XE XA XR XRR XD XDM XB XC XCC XM XP replication between nodes          <see cref="ReplicationCodecs"/>
/// XX XXR                              (and its batches)
/// CQ CR                               coalesced envelopes                <see cref="CoalescedCodecs"/>
/// TR TN TNP TE TES TU                 a client's session with the nodes  <see cref="ClientSessionCodecs"/>
/// NG NGS NS NF                        the near cache's reads and feed    <see cref="NearCacheCodecs"/>
/// </code>
/// <para>A new message gets a new manifest and a <see cref="MessageCodec"/> in its family (or a new family listed in
/// <see cref="Codecs"/>); a manifest used twice stops the serializer from loading.</para>
/// <para>The serializer checks encodings, not meaning: that a bucket index is below BucketCount, or that a
/// tombstone carries an empty value, is for the receiving actor to judge.</para>
/// </remarks>
public sealed class CacheProtocolSerializer : SerializerWithStringManifest
{
    /// <summary>
    /// The serializer identifier written into every remote envelope. WIRE INVARIANT: stable forever — a receiver
    /// picks the deserializer by this number, so changing it makes every other version unable to read our messages.
    /// Akka reserves 0..40 for itself; 517 is ours.
    /// </summary>
    public const int Id = 517;

    /// <summary>
    /// Registers the serializer for the protocol's marker interface only. Binding <see cref="ICacheMessage"/>
    /// rather than System.Object keeps Akka's own messages on Akka's serializers, and nothing of the protocol may fall
    /// back to JSON. No serialization-identifiers entry is needed: <see cref="Identifier"/> is fixed in code, the
    /// single source of truth.
    /// <para>The only place the registration is written, since every node and client must agree on it: a data node's
    /// configuration (NodeConfig, under node.conf), the client's (DistCacheClient.ClientConfig, under client.conf)
    /// and Akka.Hosting's WithDistCacheClient all layer this text; the hocon files do not repeat it.</para>
    /// </summary>
    public const string Hocon = """
        akka.actor {
          serializers {
            distcache = "DistCacheAkka.Messages.Serialization.CacheProtocolSerializer, DistCacheAkka.Messages"
          }
          serialization-bindings {
            "DistCacheAkka.Messages.ICacheMessage, DistCacheAkka.Messages" = distcache
          }
        }
        """;

    // Every message of the protocol, family by family. Protocol records are sealed, so a message's codec is found by
    // its exact type; a received one by its manifest.
    private static readonly MessageCodec[] Codecs =
    [
        .. CoalescedCodecs.All,
        .. KeyCommandCodecs.All,
        .. BatchCodecs.All,
        .. ReplicationCodecs.All,
        .. StatsCodecs.All,
        .. EventCodecs.All,
        .. ClientSessionCodecs.All,
        .. NearCacheCodecs.All,
    ];

    private static readonly FrozenDictionary<Type, MessageCodec> ByType = Codecs.Where(c => c.Writes).ToFrozenDictionary(c => c.Type);
    private static readonly FrozenDictionary<string, MessageCodec> ByManifest = Codecs.ToFrozenDictionary(c => c.Manifest, StringComparer.Ordinal);

    public CacheProtocolSerializer(ExtendedActorSystem system)
        : base(system)
    {
    }

    /// <summary>The parsed <see cref="Hocon"/>, to put in front of (or behind) an actor system's configuration.</summary>
    public static Config Config => ConfigurationFactory.ParseString(Hocon);

    /// <inheritdoc cref="Id"/>
    public override int Identifier => Id;

    public override string Manifest(object o) => CodecOf(o).Manifest;

    /// <summary>Encodes a protocol message. Allocates only the returned array (the scratch buffer is per thread).
    /// A null field is refused with a <see cref="SerializationException"/> naming it; a non-protocol object with an
    /// <see cref="ArgumentException"/> naming its type.</summary>
    public override byte[] ToBinary(object obj)
    {
        var writer = WireWriter.Rent();
        try
        {
            CodecOf(obj).Write(ref writer, obj);
            return writer.ToArray();
        }
        finally
        {
            writer.Release();
        }
    }

    /// <summary>
    /// Decodes a message. Input is untrusted (any peer, any corruption): on ANY bytes this either returns a
    /// well-formed message or throws <see cref="SerializationException"/> — never another exception type, never
    /// an allocation much larger than the input.
    /// </summary>
    public override object FromBinary(byte[] bytes, string manifest)
    {
        if (bytes is null)
            throw new SerializationException($"Cannot decode DistCache message '{manifest}': the payload is null.");
        if (manifest is null)
            throw new SerializationException("Cannot decode DistCache message: the manifest is null.");
        try
        {
            return Decode(bytes, manifest);
        }
        catch (SerializationException)
        {
            throw;
        }
        catch (Exception e)
        {
            // Last line of defence only: the reader validates everything up front, so reaching this is a bug,
            // but callers (Akka's remoting) must still see the documented exception type.
            throw new SerializationException(
                $"Cannot decode DistCache message '{manifest}' ({bytes.Length} bytes): unexpected {e.GetType().Name}.", e);
        }
    }

    private static MessageCodec CodecOf(object? o) =>
        o is not null && ByType.TryGetValue(o.GetType(), out var codec) ? codec : throw NotAProtocolMessage(o);

    private static ICacheMessage Decode(ReadOnlySpan<byte> bytes, string manifest)
    {
        if (!ByManifest.TryGetValue(manifest, out var codec))
            throw new SerializationException(
                $"Unknown DistCache manifest '{manifest}': the sender speaks a newer protocol or the bytes are not ours.");
        var r = new WireReader(bytes, manifest);
        var message = codec.Read(ref r);
        r.EnsureEnd();
        return message;
    }

    private static ArgumentException NotAProtocolMessage(object? o) => o is null
        ? new ArgumentNullException(nameof(o), "Cannot serialize null with the DistCache protocol serializer.")
        : new ArgumentException(
            $"Cannot serialize {o.GetType().FullName}: it is not a DistCacheAkka protocol message " +
            "(a concrete ICacheMessage record known to CacheProtocolSerializer).", nameof(o));
}
