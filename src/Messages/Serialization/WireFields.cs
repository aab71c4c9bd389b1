using System.Runtime.Serialization;

namespace DistCacheAkka.Messages.Serialization;

/// <summary>
/// The field encodings that several message families share: the wire enums (one byte, a defined value), Expiry and
/// Error, and the errors for null and misplaced list elements. Their layouts are in the remarks of
/// <see cref="CacheProtocolSerializer"/>; WIRE INVARIANT like every layout.
/// </summary>
internal static class WireFields
{
    // Largest defined value of each wire enum. The enums are contiguous from 0 and append-only, so "defined" is
    // "at most this"; a unit test fails if an enum gains a value these constants do not cover.
    public const byte MaxConsistency = (byte)ConsistencyLevel.Strong;
    public const byte MaxExpiryKind = (byte)ExpiryKind.Sliding;
    public const byte MaxErrorCode = (byte)CacheErrorCode.OutOfMemory;
    public const byte MaxNodeLeftReason = (byte)NodeLeftReason.Downed;
    public const byte MaxInvalidationReason = (byte)InvalidationReason.Overwritten;
    public const byte MaxEventKind = (byte)CacheEventKind.RebalancingProgress;

    public static void WriteEnum(ref WireWriter w, byte value, byte maxDefined, string field)
    {
        // Checked on the way out too: an undefined value would only be refused by the receiver, far from the bug.
        if (value > maxDefined)
            throw new SerializationException($"Field {field} has undefined value {value}.");
        w.WriteByte(value);
    }

    public static void WriteConsistency(ref WireWriter w, ConsistencyLevel value, string field) =>
        WriteEnum(ref w, (byte)value, MaxConsistency, field);

    public static ConsistencyLevel ReadConsistency(ref WireReader r) =>
        (ConsistencyLevel)r.ReadEnum(MaxConsistency, nameof(ConsistencyLevel));

    public static void WriteExpiry(ref WireWriter w, CacheExpiry expiry, string field)
    {
        WriteEnum(ref w, (byte)expiry.Kind, MaxExpiryKind, field);
        w.WriteTimeSpan(expiry.Duration);
    }

    public static CacheExpiry ReadExpiry(ref WireReader r)
    {
        // The serializer transports the expiry as sent; whether its duration makes sense is the receiver's
        // request validation (an InvalidRequest reply), not a decoding failure.
        var kind = (ExpiryKind)r.ReadEnum(MaxExpiryKind, nameof(ExpiryKind));
        return new CacheExpiry(kind, r.ReadTimeSpan());
    }

    public static void WriteError(ref WireWriter w, CacheError? error, string field)
    {
        if (error is null)
            WireWriter.ThrowNullField(field);
        WriteEnum(ref w, (byte)error.Code, MaxErrorCode, field);
        w.WriteString(error.Message, field);
        w.WriteVarInt32(error.AcksReceived);
        w.WriteVarInt32(error.AcksRequired);
        w.WriteTimeSpan(error.Timeout);
    }

    public static CacheError ReadError(ref WireReader r) => new(
        (CacheErrorCode)r.ReadEnum(MaxErrorCode, nameof(CacheErrorCode)),
        r.ReadString(),
        r.ReadVarInt32(),
        r.ReadVarInt32(),
        r.ReadTimeSpan());

    /// <summary>Writes a nested message as its kind (its index in <paramref name="kinds"/>, one byte) and its fields;
    /// false, writing nothing, when it has no kind there (the caller names what its container may carry).</summary>
    public static bool TryWriteNested(ref WireWriter w, MessageCodec[] kinds, object? message)
    {
        var type = message?.GetType();
        for (var kind = 0; kind < kinds.Length; kind++)
        {
            if (kinds[kind].Type != type)
                continue;
            w.WriteByte((byte)kind);
            kinds[kind].Write(ref w, message!);
            return true;
        }

        return false;
    }

    public static SerializationException NullElement(string field, int index) =>
        new($"Field {field}[{index}] is null; protocol messages carry no nulls.");
}
