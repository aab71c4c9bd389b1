using DistCacheAkka.ClientProxy;
using DistCacheAkka.ClientProxy.NearCache;
using DistCacheAkka.Messages;

namespace DistCacheAkka.Tests.Unit.Hybrid;

// The near cache's cached absence, used for the HybridCache's tag markers: a NotFound read while the shard was followed
// is served (as "absent") until the key changes or the shard is dropped; ordinary reads never see it.
public class NearCacheAbsenceSpecs
{
    private const string Node = "akka.tcp://distcache@127.0.0.1:1";
    private const int Shard = 2;
    private const long Stream = 77;
    private readonly NearCache _cache = new(new NearCacheOptions { MaxEntries = 10 }, 4, () => 1_000);
    private long _feedSequence;

    private void Feed(IReadOnlyList<StreamChange> changes, IReadOnlyList<ShardStream>? snapshot = null)
    {
        _feedSequence++;
        _cache.Apply(snapshot is null ? new NearCacheFeed(Node, _feedSequence, changes) : new NearCacheFeed(Node, _feedSequence, changes, true, snapshot));
    }

    private void ReadMissing(string key, bool cacheAbsence = true)
    {
        var fetch = _cache.BeginFetch(key, Shard, out var leader, cacheAbsence);
        Assert.True(leader);
        _cache.Complete(fetch, new NotFound(key));
    }

    [Fact]
    public void Should_serve_a_cached_absence_only_to_absence_readers()
    {
        Feed([], [new ShardStream(Shard, Stream, 0)]);

        ReadMissing("__hc:all");

        Assert.True(_cache.TryGetOrAbsent("__hc:all", out var value));
        Assert.Null(value);
        Assert.False(_cache.TryGet("__hc:all", out _));
    }

    [Fact]
    public void Should_not_cache_absence_unless_asked_or_while_the_shard_is_not_followed()
    {
        ReadMissing("unfollowed");
        Feed([], [new ShardStream(Shard, Stream, 0)]);
        ReadMissing("not-asked", cacheAbsence: false);

        Assert.False(_cache.TryGetOrAbsent("unfollowed", out _));
        Assert.False(_cache.TryGetOrAbsent("not-asked", out _));
    }

    [Fact]
    public void Should_drop_a_cached_absence_when_the_key_changes_or_the_shard_is_dropped()
    {
        Feed([], [new ShardStream(Shard, Stream, 0)]);
        ReadMissing("written");
        ReadMissing("other");

        Feed([new StreamChange(StreamChangeKind.Invalidated, Shard, Stream, 1, "written", new EntryVersion(1, 1))]);
        Assert.False(_cache.TryGetOrAbsent("written", out _));
        Assert.True(_cache.TryGetOrAbsent("other", out _));

        Feed([new StreamChange(StreamChangeKind.Stopped, Shard, Stream, 1, "", new EntryVersion(1, 1))]);
        Assert.False(_cache.TryGetOrAbsent("other", out _));
    }

    [Fact]
    public void Should_not_cache_an_absence_whose_key_changed_while_it_was_read()
    {
        Feed([], [new ShardStream(Shard, Stream, 0)]);
        var fetch = _cache.BeginFetch("raced", Shard, out _, cacheAbsence: true);

        Feed([new StreamChange(StreamChangeKind.Invalidated, Shard, Stream, 1, "raced", new EntryVersion(1, 1))]);
        _cache.Complete(fetch, new NotFound("raced"));

        Assert.False(_cache.TryGetOrAbsent("raced", out _));
    }
}
