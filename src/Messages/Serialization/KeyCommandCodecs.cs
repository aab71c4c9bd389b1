using static DistCacheAkka.Messages.Serialization.WireFields;

namespace DistCacheAkka.Messages.Serialization;

/// <summary>
/// Wire codecs of the single-key commands (Get, Set, Remove) and their replies. WIRE INVARIANT: append-only (see
/// <see cref="CacheProtocolSerializer"/>).
/// </summary>
/// <remarks>
/// <code>
/// G   Get                 Key, Consistency
/// GS  GetSuccess          Key, Value, Version
/// GN  NotFound            Key
/// GF  GetFailure          Key, Error
/// S   Set                 Key, Value, Expiry, Consistency
/// SS  SetSuccess          Key, Version
/// SF  SetFailure          Key, Error
/// R   Remove              Key, Consistency
/// RS  RemoveSuccess       Key, Existed bool, Version
/// RF  RemoveFailure       Key, Error
/// </code>
/// </remarks>
internal static class KeyCommandCodecs
{
    public static readonly MessageCodec[] All =
    [
        MessageCodec.Of<Get>("G",
            static (ref WireWriter w, Get m) =>
            {
                w.WriteString(m.Key, "Get.Key");
                WriteConsistency(ref w, m.Consistency, "Get.Consistency");
            },
            static (ref WireReader r) => new Get(r.ReadString(), ReadConsistency(ref r))),

        MessageCodec.Of<GetSuccess>("GS",
            static (ref WireWriter w, GetSuccess m) =>
            {
                w.WriteString(m.Key, "GetSuccess.Key");
                w.WriteBytes(m.Value, "GetSuccess.Value");
                w.WriteVersion(m.Version);
            },
            static (ref WireReader r) => new GetSuccess(r.ReadString(), r.ReadBytes(), r.ReadVersion())),

        MessageCodec.Of<NotFound>("GN",
            static (ref WireWriter w, NotFound m) => w.WriteString(m.Key, "NotFound.Key"),
            static (ref WireReader r) => new NotFound(r.ReadString())),

        MessageCodec.Of<GetFailure>("GF",
            static (ref WireWriter w, GetFailure m) =>
            {
                w.WriteString(m.Key, "GetFailure.Key");
                WriteError(ref w, m.Error, "GetFailure.Error");
            },
            static (ref WireReader r) => new GetFailure(r.ReadString(), ReadError(ref r))),

        MessageCodec.Of<Set>("S",
            static (ref WireWriter w, Set m) =>
            {
                w.WriteString(m.Key, "Set.Key");
                w.WriteBytes(m.Value, "Set.Value");
                WriteExpiry(ref w, m.Expiry, "Set.Expiry");
                WriteConsistency(ref w, m.Consistency, "Set.Consistency");
            },
            static (ref WireReader r) => new Set(r.ReadString(), r.ReadBytes(), ReadExpiry(ref r), ReadConsistency(ref r))),

        MessageCodec.Of<SetSuccess>("SS",
            static (ref WireWriter w, SetSuccess m) =>
            {
                w.WriteString(m.Key, "SetSuccess.Key");
                w.WriteVersion(m.Version);
            },
            static (ref WireReader r) => new SetSuccess(r.ReadString(), r.ReadVersion())),

        MessageCodec.Of<SetFailure>("SF",
            static (ref WireWriter w, SetFailure m) =>
            {
                w.WriteString(m.Key, "SetFailure.Key");
                WriteError(ref w, m.Error, "SetFailure.Error");
            },
            static (ref WireReader r) => new SetFailure(r.ReadString(), ReadError(ref r))),

        MessageCodec.Of<Remove>("R",
            static (ref WireWriter w, Remove m) =>
            {
                w.WriteString(m.Key, "Remove.Key");
                WriteConsistency(ref w, m.Consistency, "Remove.Consistency");
            },
            static (ref WireReader r) => new Remove(r.ReadString(), ReadConsistency(ref r))),

        MessageCodec.Of<RemoveSuccess>("RS",
            static (ref WireWriter w, RemoveSuccess m) =>
            {
                w.WriteString(m.Key, "RemoveSuccess.Key");
                w.WriteBool(m.Existed);
                w.WriteVersion(m.Version);
            },
            static (ref WireReader r) => new RemoveSuccess(r.ReadString(), r.ReadBool(), r.ReadVersion())),

        MessageCodec.Of<RemoveFailure>("RF",
            static (ref WireWriter w, RemoveFailure m) =>
            {
                w.WriteString(m.Key, "RemoveFailure.Key");
                WriteError(ref w, m.Error, "RemoveFailure.Error");
            },
            static (ref WireReader r) => new RemoveFailure(r.ReadString(), ReadError(ref r))),
    ];
}
