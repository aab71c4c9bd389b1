namespace DistCacheAkka.Messages;

// The near-cache protocol (issue 15). A client with a near cache subscribes to every data node's invalidation feed
// (a lease, renewed with its registration). Each primary (EntryActor) numbers the changes of its shard in a *stream*:
// a random id drawn when it starts serving, and a sequence that grows by one per change. The node's feed sends every
// change of its local primaries to every subscriber, in order, in numbered messages (one sequence per subscriber):
// a client that sees a feed sequence or a shard sequence skip, or a stream it does not know, drops the affected
// entries instead of serving them. A near-cache read (NearGet) returns the stream the value was read under, so a
// client caches a value only if it follows that very stream.

/// <summary>
/// An Eventual read of one key for a client's near cache: the primary answers a <see cref="NearGetSuccess"/> (with the
/// stream of the key's shard), <see cref="NotFound"/> or <see cref="GetFailure"/>, exactly as for an Eventual
/// <see cref="Get"/>.
/// </summary>
public sealed record NearGet(string Key) : IWithCacheKey;

/// <summary>
/// The key's value, read under shard stream <see cref="Stream"/> (0: not to be cached, e.g. a sliding expiry, which
/// only the primary can keep sliding). <see cref="TimeToLive"/> is what was left of an absolute expiry when read
/// (<see cref="TimeSpan.Zero"/>: none).
/// </summary>
public sealed record NearGetSuccess(string Key, byte[] Value, EntryVersion Version, long Stream, TimeSpan TimeToLive) : IGetResponse;

/// <summary>
/// Subscribes the sender (a client's near-cache feed actor) to a node's invalidation feed, sent to the node's client
/// registry. Sent again as a lease renewal every <see cref="RegisterClient.LeaseRenewal"/>; the node drops a
/// subscription not renewed for <see cref="RegisterClient.LeaseExpiry"/>. Every (re)subscription is answered with a
/// feed message that carries a snapshot.
/// </summary>
public sealed record SubscribeInvalidations : ICacheMessage
{
    public static readonly SubscribeInvalidations Instance = new();
}

/// <summary>What happened to a shard's stream: a key changed, or the stream started or ended. Wire values are
/// append-only.</summary>
public enum StreamChangeKind : byte
{
    /// <summary><see cref="StreamChange.Key"/> changed (written, removed, evicted or expired) at <see cref="StreamChange.Version"/>.</summary>
    Invalidated = 0,

    /// <summary>The shard's primary started serving on the reporter under a new stream (sequence 0).</summary>
    Started = 1,

    /// <summary>The shard's primary on the reporter stopped (handed off or crashed); its stream ends.</summary>
    Stopped = 2,
}

/// <summary>One change of a shard's stream. <see cref="Key"/> is empty and <see cref="Version"/> zero unless
/// <see cref="Kind"/> is <see cref="StreamChangeKind.Invalidated"/>.</summary>
public sealed record StreamChange(StreamChangeKind Kind, int Shard, long Stream, long Sequence, string Key, EntryVersion Version);

/// <summary>Where a shard's stream stands: its id and the sequence of its last change.</summary>
public readonly record struct ShardStream(int Shard, long Stream, long Sequence);

/// <summary>
/// One message of a node's invalidation feed to one subscriber. <see cref="Sequence"/> counts the messages of this
/// subscription from 1 (a gap means a lost message; 1 again means a new subscription). <see cref="Changes"/> are the
/// changes since the previous message, in order. With <see cref="HasSnapshot"/>, <see cref="Snapshot"/> lists every
/// stream running on the reporter after those changes (sent on every subscription and renewal; empty otherwise): a
/// shard the client follows from this reporter that is not listed, or listed at another stream or sequence, lost
/// something. An empty message is a
/// heartbeat (one a second): a client that hears nothing from a node for a few seconds stops serving its shards.
/// </summary>
public sealed record NearCacheFeed(
    string Reporter, long Sequence, IReadOnlyList<StreamChange> Changes, bool HasSnapshot, IReadOnlyList<ShardStream> Snapshot) : ICacheMessage
{
    /// <summary>A message with changes only.</summary>
    public NearCacheFeed(string reporter, long sequence, IReadOnlyList<StreamChange> changes)
        : this(reporter, sequence, changes, false, [])
    {
    }
}
