namespace DistCacheAkka.Messages.Serialization;

/// <summary>Writes the fields of <paramref name="message"/>, in its wire layout, after whatever is already written.</summary>
internal delegate void FieldWriter<in T>(ref WireWriter writer, T message);

/// <summary>Reads the fields of one message, in its wire layout, and builds the message.</summary>
internal delegate T FieldReader<out T>(ref WireReader reader);

/// <summary>
/// One protocol message on the wire: its manifest, and the code that writes and reads its fields, side by side. The
/// families (<see cref="KeyCommandCodecs"/>, <see cref="BatchCodecs"/>, ...) hold one per message;
/// <see cref="CacheProtocolSerializer"/> finds them by type and by manifest.
/// <para>A reader passes its arguments straight to the constructor: C# evaluates arguments left to right, which is
/// the wire order. Readers check encodings only (see <see cref="WireReader"/>), never what the values mean.</para>
/// </summary>
internal abstract class MessageCodec
{
    private MessageCodec(Type type, string manifest, bool writes = true)
    {
        Type = type;
        Manifest = manifest;
        Writes = writes;
    }

    /// <summary>False for a superseded layout that is still read (old senders) but never written.</summary>
    public bool Writes { get; }

    /// <summary>The concrete record this codec writes and reads (protocol records are sealed: matched exactly).</summary>
    public Type Type { get; }

    /// <summary>WIRE INVARIANT: the message's manifest, frozen once released (see <see cref="CacheProtocolSerializer"/>).</summary>
    public string Manifest { get; }

    /// <summary>Writes the fields of <paramref name="message"/>, which must be of <see cref="Type"/>.</summary>
    public abstract void Write(ref WireWriter writer, object message);

    /// <summary>Reads the fields of one message; the caller checks that nothing follows.</summary>
    public abstract ICacheMessage Read(ref WireReader reader);

    public static MessageCodec Of<T>(string manifest, FieldWriter<T> write, FieldReader<T> read)
        where T : class, ICacheMessage =>
        new Typed<T>(manifest, write, read);

    /// <summary>A superseded layout of <typeparamref name="T"/>: decoded when an older sender uses it, never written
    /// (<typeparamref name="T"/>'s current codec writes it).</summary>
    public static MessageCodec ReadOnly<T>(string manifest, FieldReader<T> read)
        where T : class, ICacheMessage =>
        new Typed<T>(manifest, static (ref WireWriter _, T _) => throw new InvalidOperationException("a read-only codec never writes"), read, writes: false);

    private sealed class Typed<T>(string manifest, FieldWriter<T> write, FieldReader<T> read, bool writes = true) : MessageCodec(typeof(T), manifest, writes)
        where T : class, ICacheMessage
    {
        public override void Write(ref WireWriter writer, object message) => write(ref writer, (T)message);

        public override ICacheMessage Read(ref WireReader reader) => read(ref reader);
    }
}
