using DistCacheAkka.CacheNode.NearCache;
using DistCacheAkka.Messages;

namespace DistCacheAkka.CacheNode.Entries;

// The shard's stream for clients' near caches (issue 15). When the primary starts serving it draws a new stream id and
// numbers every change of its store from there: each write, removal, eviction and expiry, whatever path applied it
// (the store's OnChange hook sees them all), goes to the node's StreamLog, which the node's invalidation feed sends
// to every subscribed client in order. A NearGet is an Eventual read whose answer names the stream, so a client
// caches the value only while it follows that stream.
internal sealed partial class EntryActor
{
    private long _stream;
    private long _streamSequence;

    private void StartStream()
    {
        if (_node.Streams is not { } log)
            return;
        _stream = StreamLog.NewStream();
        _streamSequence = 0;
        log.Append(new StreamChange(StreamChangeKind.Started, _shard, _stream, 0, "", EntryVersion.Zero));
        _store.OnChange = (key, version) =>
            log.Append(new StreamChange(StreamChangeKind.Invalidated, _shard, _stream, ++_streamSequence, key, version));
    }

    private void EndStream()
    {
        if (_stream == 0 || _node.Streams is not { } log)
            return;
        _store.OnChange = null;
        log.Append(new StreamChange(StreamChangeKind.Stopped, _shard, _stream, _streamSequence, "", EntryVersion.Zero));
        _stream = 0;
    }

    private void Handle(NearGet get, ReplyTo replyTo)
    {
        if (CheckKey(get.Key) is { } error)
        {
            replyTo.Tell(new GetFailure(get.Key ?? "", error));
            return;
        }

        var key = get.Key;
        ReadThen([key], ConsistencyLevel.Eventual, replyTo, () =>
        {
            if (!_store.TryGet(key, out var value, out var version, out var kind, out var timeToLive))
                return new NotFound(key);
            // A sliding expiry slides only on the primary's reads: a copy in a near cache would let it lapse.
            var stream = kind == ExpiryKind.Sliding ? 0 : _stream;
            return new NearGetSuccess(key, value, version, stream, timeToLive);
        }, e => new GetFailure(key, e));
    }
}
