using System.Diagnostics;
using DistCacheAkka.ClientProxy;
using DistCacheAkka.ClientProxy.NearCache;
using DistCacheAkka.Messages;

namespace DistCacheAkka.Tests.Unit.Client;

// The near cache's coherence rules, without Akka: what may be served, and every way a shard stops being followed.
public class NearCacheSpecs
{
    private const string NodeA = "akka.tcp://distcache@127.0.0.1:1";
    private const string NodeB = "akka.tcp://distcache@127.0.0.1:2";
    private const int Shard = 3;
    private const long StreamA = 111;
    private static readonly byte[] V1 = [1];
    private static readonly byte[] V2 = [2];

    private long _clock = 1_000_000;
    private readonly NearCache _cache;
    private readonly Dictionary<string, long> _feedSequence = new();

    public NearCacheSpecs() => _cache = new NearCache(new NearCacheOptions { MaxEntries = 100 }, 8, () => _clock);

    private void Feed(string node, IReadOnlyList<StreamChange> changes, IReadOnlyList<ShardStream>? snapshot = null)
    {
        var sequence = _feedSequence[node] = _feedSequence.GetValueOrDefault(node) + 1;
        _cache.Apply(snapshot is null ? new NearCacheFeed(node, sequence, changes) : new NearCacheFeed(node, sequence, changes, true, snapshot));
    }

    private void FollowShardOnA(long sequence = 0) => Feed(NodeA, [], [new ShardStream(Shard, StreamA, sequence)]);

    private static StreamChange Changed(string key, long sequence, long stream = StreamA) =>
        new(StreamChangeKind.Invalidated, Shard, stream, sequence, key, new EntryVersion(1, sequence));

    private void Fill(string key, byte[] value, long stream = StreamA, TimeSpan ttl = default)
    {
        var fetch = _cache.BeginFetch(key, Shard, out var leader);
        Assert.True(leader);
        _cache.Complete(fetch, new NearGetSuccess(key, value, new EntryVersion(1, 1), stream, ttl));
    }

    private byte[]? Read(string key) => _cache.TryGet(key, out var value) ? value : null;

    [Fact]
    public void Should_serve_a_value_read_under_the_followed_stream()
    {
        FollowShardOnA();
        Fill("k", V1);

        Assert.Equal(V1, Read("k"));
        Assert.Equal(new NearCacheStats(1, 1, 0, 1), _cache.Stats);
    }

    [Fact]
    public void Should_not_cache_before_the_shard_is_followed_or_under_another_stream_or_when_not_cacheable()
    {
        Fill("unfollowed", V1);
        FollowShardOnA();
        Fill("other-stream", V1, stream: 999);
        Fill("sliding", V1, stream: 0);

        Assert.Null(Read("unfollowed"));
        Assert.Null(Read("other-stream"));
        Assert.Null(Read("sliding"));
        Assert.Equal(0, _cache.Stats.Entries);
    }

    [Fact]
    public void Should_remove_an_entry_its_shard_stream_invalidates()
    {
        FollowShardOnA();
        Fill("k", V1);

        Feed(NodeA, [Changed("k", 1)]);

        Assert.Null(Read("k"));
        Assert.True(_cache.IsFollowed(Shard)); // sequence 0 -> 1: still followed
    }

    [Fact]
    public void Should_discard_a_read_whose_key_was_invalidated_while_in_flight()
    {
        FollowShardOnA();
        var fetch = _cache.BeginFetch("k", Shard, out _);

        Feed(NodeA, [Changed("k", 1)]); // another client's write, after the primary read the old value
        _cache.Complete(fetch, new NearGetSuccess("k", V1, new EntryVersion(1, 1), StreamA, TimeSpan.Zero));

        Assert.Null(Read("k"));
    }

    [Fact]
    public void Should_drop_every_shard_of_a_node_whose_feed_skipped_a_message()
    {
        FollowShardOnA();
        Fill("k", V1);

        _feedSequence[NodeA]++; // one message lost
        Feed(NodeA, []);

        Assert.Null(Read("k"));
        Assert.False(_cache.IsFollowed(Shard));
        // Followed again from the next snapshot (sent on every lease renewal).
        FollowShardOnA();
        Assert.True(_cache.IsFollowed(Shard));
    }

    [Fact]
    public void Should_drop_a_shard_whose_shard_sequence_skipped()
    {
        FollowShardOnA();
        Fill("k", V1);

        Feed(NodeA, [Changed("other", 2)]); // sequence 1 never came

        Assert.Null(Read("k"));
        Assert.False(_cache.IsFollowed(Shard));
    }

    [Fact]
    public void Should_drop_a_shard_when_a_new_primary_starts_it_elsewhere_and_ignore_the_old_ones_end()
    {
        FollowShardOnA();
        Feed(NodeB, [], []);
        Fill("k", V1);

        Feed(NodeB, [new StreamChange(StreamChangeKind.Started, Shard, 222, 0, "", EntryVersion.Zero)]);
        Assert.Null(Read("k"));
        Fill("k", V1, stream: StreamA); // read by the old primary: not cached
        Assert.Null(Read("k"));
        Fill("k", V2, stream: 222);
        Feed(NodeA, [new StreamChange(StreamChangeKind.Stopped, Shard, StreamA, 0, "", EntryVersion.Zero)]);

        Assert.Equal(V2, Read("k"));
    }

    [Fact]
    public void Should_drop_a_shard_a_snapshot_no_longer_lists_or_lists_at_another_sequence()
    {
        FollowShardOnA();
        Fill("k", V1);
        Feed(NodeA, [], [new ShardStream(Shard, StreamA, 5)]);
        Assert.Null(Read("k"));

        Fill("k", V1);
        Feed(NodeA, [], []);
        Assert.Null(Read("k"));
        Assert.False(_cache.IsFollowed(Shard));
    }

    [Fact]
    public void Should_stop_serving_a_shard_whose_node_went_quiet_and_resume_when_it_speaks()
    {
        FollowShardOnA();
        Fill("k", V1);

        _clock += NearCache.StaleAfterTicks;
        Assert.Null(Read("k"));

        Feed(NodeA, []); // a heartbeat
        Assert.Equal(V1, Read("k"));
    }

    [Fact]
    public void Should_clear_the_shards_of_nodes_that_are_no_longer_reachable()
    {
        FollowShardOnA();
        Fill("k", V1);

        _cache.RetainNodes(new HashSet<string> { NodeB });

        Assert.Null(Read("k"));
        Assert.False(_cache.IsFollowed(Shard));
    }

    [Fact]
    public void Should_forget_a_key_this_client_writes_including_a_read_in_flight()
    {
        FollowShardOnA();
        Fill("k", V1);
        _cache.InvalidateLocal("k");
        Assert.Null(Read("k"));

        var fetch = _cache.BeginFetch("k", Shard, out _);
        _cache.InvalidateLocal("k"); // this client's write was acknowledged while the read was in flight
        _cache.Complete(fetch, new NearGetSuccess("k", V1, new EntryVersion(1, 1), StreamA, TimeSpan.Zero));
        Assert.Null(Read("k"));
    }

    [Fact]
    public async Task Should_let_concurrent_misses_share_one_fetch_and_its_failure()
    {
        FollowShardOnA();
        var first = _cache.BeginFetch("k", Shard, out var firstLeads);
        var second = _cache.BeginFetch("k", Shard, out var secondLeads);
        Assert.True(firstLeads);
        Assert.False(secondLeads);
        Assert.Same(first, second);

        _cache.Fail(first, new TimeoutException("no answer"));
        await Assert.ThrowsAsync<TimeoutException>(() => second.Result);
        _cache.BeginFetch("k", Shard, out var thirdLeads);
        Assert.True(thirdLeads); // a failed fetch is not joined again
    }

    [Fact]
    public void Should_expire_a_copy_when_the_values_time_to_live_counted_from_the_read_ends()
    {
        FollowShardOnA();
        Fill("k", V1, ttl: TimeSpan.FromSeconds(1));
        Feed(NodeA, []);
        Assert.Equal(V1, Read("k"));

        _clock += Stopwatch.Frequency; // one second after the read was sent
        Feed(NodeA, []);

        Assert.Null(Read("k"));
    }

    [Fact]
    public void Should_evict_beyond_max_entries_sparing_entries_read_since_the_last_pass()
    {
        var cache = new NearCache(new NearCacheOptions { MaxEntries = 2 }, 8, () => _clock);
        cache.Apply(new NearCacheFeed(NodeA, 1, [], true, [new ShardStream(Shard, StreamA, 0)]));
        void Put(string key)
        {
            var fetch = cache.BeginFetch(key, Shard, out _);
            cache.Complete(fetch, new NearGetSuccess(key, V1, new EntryVersion(1, 1), StreamA, TimeSpan.Zero));
        }

        Put("a");
        Put("b");
        Assert.True(cache.TryGet("a", out _));
        Put("c");

        Assert.True(cache.TryGet("a", out _));
        Assert.False(cache.TryGet("b", out _));
        Assert.True(cache.TryGet("c", out _));
        Assert.Equal(2, cache.Stats.Entries);
    }

    [Theory]
    [InlineData(0, null, "MaxEntries is 0")]
    [InlineData(10, -1, "MaxAge is -00:00:01")]
    public void Should_refuse_invalid_options_naming_the_problem(int maxEntries, int? maxAgeSeconds, string expected)
    {
        var options = new NearCacheOptions { MaxEntries = maxEntries, MaxAge = maxAgeSeconds is { } s ? TimeSpan.FromSeconds(s) : null };

        var error = Assert.Throws<ArgumentException>(() => new NearCache(options, 8));

        Assert.Contains(expected, error.Message);
    }
}
