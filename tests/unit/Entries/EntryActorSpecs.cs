using Akka.Actor;
using Akka.TestKit;
using Akka.TestKit.Xunit2;
using DistCacheAkka.CacheNode.Entries;
using DistCacheAkka.CacheNode.Events;
using DistCacheAkka.CacheNode.Replication;
using DistCacheAkka.CacheNode.Stats;
using DistCacheAkka.Messages;
using DistCacheAkka.Messages.Hashing;
using DistCacheAkka.Messages.Settings;
using DistCacheAkka.Tests.Unit.Support;

namespace DistCacheAkka.Tests.Unit.Entries;

// One EntryActor (one shard) driven directly with TestKit probes: the request/reply protocol, validation replies
// (bad keys, values, TTLs, keys of another shard), batch subsets, counters, and KeyInvalidated events that are
// published only when someone listens.
public class EntryActorSpecs : TestKit
{
    private const int Shard = 3;
    private readonly ManualTimeProvider _clock = new();
    private readonly TestProbe _events;
    private readonly NodeMetrics _metrics = new();
    private readonly EventInterest _interest = EventInterest.All();
    private readonly NodeContext _context;
    private readonly IActorRef _entry;

    public EntryActorSpecs()
    {
        _events = CreateTestProbe();
        var settings = DistCacheSettings.Create(DistCacheConfig.WithReference("""
            distcache.shards = 16
            distcache.limits.max-key-bytes = 32
            distcache.limits.max-value-bytes = 100
            distcache.expiry.sweep-interval = 1h
            """));
        // No other data nodes: recovery finishes at once and writes have no backups to wait for.
        _context = new NodeContext(settings, new ShardResolver(16), _metrics, _interest, _events.Ref, _clock,
            new ReplicaView("akka.tcp://distcache@127.0.0.1:1", 150, 1), new ProbeTransport(new Dictionary<string, IActorRef>()));
        _entry = Sys.ActorOf(EntryActor.Props(Shard.ToString(), _context));
    }

    private IReadOnlyList<string> KeysOfShard(int shard, int count) =>
        Enumerable.Range(0, 10_000).Select(i => $"key-{i}").Where(k => _context.Resolver.ShardOf(k) == shard).Take(count).ToList();

    private static byte[] Bytes(string s) => System.Text.Encoding.UTF8.GetBytes(s);

    [Fact]
    public async Task Should_set_get_and_remove_a_key()
    {
        var key = KeysOfShard(Shard, 1)[0];

        _entry.Tell(new Set(key, Bytes("v1"), CacheExpiry.Never));
        var set = await ExpectMsgAsync<SetSuccess>();
        _entry.Tell(new Get(key));
        var got = await ExpectMsgAsync<GetSuccess>();
        _entry.Tell(new Remove(key));
        var removed = await ExpectMsgAsync<RemoveSuccess>();
        _entry.Tell(new Get(key));
        await ExpectMsgAsync<NotFound>(m => m.Key == key);

        Assert.Equal(Bytes("v1"), got.Value);
        Assert.Equal(set.Version, got.Version);
        Assert.True(removed.Existed);
        Assert.True(removed.Version > set.Version);
    }

    [Fact]
    public async Task Should_expire_a_key_lazily_and_publish_KeyInvalidated()
    {
        var key = KeysOfShard(Shard, 1)[0];
        _entry.Tell(new Set(key, Bytes("v"), CacheExpiry.After(TimeSpan.FromSeconds(5))));
        await ExpectMsgAsync<SetSuccess>();

        _clock.Advance(TimeSpan.FromSeconds(6));
        _entry.Tell(new Get(key));

        await ExpectMsgAsync<NotFound>();
        var evt = await _events.ExpectMsgAsync<KeyInvalidated>();
        Assert.Equal(key, evt.Key);
        Assert.Equal(InvalidationReason.Expired, evt.Reason);
    }

    [Fact]
    public async Task Should_publish_removed_and_overwritten_invalidations()
    {
        var key = KeysOfShard(Shard, 1)[0];
        _entry.Tell(new Set(key, Bytes("a"), CacheExpiry.Never));
        _entry.Tell(new Set(key, Bytes("b"), CacheExpiry.Never));
        _entry.Tell(new Remove(key));
        await ExpectMsgAsync<SetSuccess>();
        await ExpectMsgAsync<SetSuccess>();
        await ExpectMsgAsync<RemoveSuccess>();

        Assert.Equal(InvalidationReason.Overwritten, (await _events.ExpectMsgAsync<KeyInvalidated>()).Reason);
        Assert.Equal(InvalidationReason.Removed, (await _events.ExpectMsgAsync<KeyInvalidated>()).Reason);
    }

    [Fact]
    public async Task Should_not_build_events_when_nobody_listens()
    {
        _interest.Update([]);
        var key = KeysOfShard(Shard, 1)[0];
        _entry.Tell(new Set(key, Bytes("a"), CacheExpiry.Never));
        _entry.Tell(new Remove(key));
        await ExpectMsgAsync<SetSuccess>();
        await ExpectMsgAsync<RemoveSuccess>();

        await _events.ExpectNoMsgAsync(TimeSpan.FromMilliseconds(200));
    }

    [Fact]
    public async Task Should_refuse_a_key_of_another_shard_with_WrongShard()
    {
        var foreign = KeysOfShard(Shard + 1, 1)[0];
        _entry.Tell(new Get(foreign));

        var failure = await ExpectMsgAsync<GetFailure>();
        Assert.Equal(CacheErrorCode.WrongShard, failure.Error.Code);
        Assert.Contains($"belongs to shard {Shard + 1}", failure.Error.Message);
    }

    [Theory]
    [InlineData("", "empty")]
    [InlineData("this-key-is-certainly-longer-than-32-bytes", "limit is 32")]
    public async Task Should_refuse_bad_keys_with_InvalidRequest(string key, string expected)
    {
        _entry.Tell(new Set(key, Bytes("v"), CacheExpiry.Never));

        var failure = await ExpectMsgAsync<SetFailure>();
        Assert.Equal(CacheErrorCode.InvalidRequest, failure.Error.Code);
        Assert.Contains(expected, failure.Error.Message);
    }

    [Fact]
    public async Task Should_refuse_bad_values_ttls_and_consistency_and_keep_the_old_value()
    {
        var key = KeysOfShard(Shard, 1)[0];
        _entry.Tell(new Set(key, Bytes("kept"), CacheExpiry.Never));
        await ExpectMsgAsync<SetSuccess>();

        _entry.Tell(new Set(key, new byte[101], CacheExpiry.Never));
        Assert.Contains("limit is 100", (await ExpectMsgAsync<SetFailure>()).Error.Message);
        _entry.Tell(new Set(key, Bytes("x"), new CacheExpiry(ExpiryKind.Absolute, TimeSpan.FromSeconds(-1))));
        Assert.Contains("TTL must be positive", (await ExpectMsgAsync<SetFailure>()).Error.Message);
        _entry.Tell(new Set(key, Bytes("x"), CacheExpiry.Never, (ConsistencyLevel)9));
        Assert.Contains("consistency level 9", (await ExpectMsgAsync<SetFailure>()).Error.Message);

        _entry.Tell(new Get(key));
        Assert.Equal(Bytes("kept"), (await ExpectMsgAsync<GetSuccess>()).Value);
    }

    [Fact]
    public async Task Should_answer_batches_with_found_and_missing_keys()
    {
        var keys = KeysOfShard(Shard, 6);
        _entry.Tell(new SetMany(Shard, keys.Take(4).Select(k => new KeyValue(k, Bytes(k))).ToArray(), CacheExpiry.Never));
        var set = await ExpectMsgAsync<SetManySuccess>();
        _entry.Tell(new GetMany(Shard, keys));
        var got = await ExpectMsgAsync<GetManySuccess>();

        Assert.Equal(4, set.Count);
        Assert.Equal(keys.Take(4).ToHashSet(), got.Found.Select(f => f.Key).ToHashSet());
        Assert.All(got.Found, f => Assert.Equal(Bytes(f.Key), f.Value));
        Assert.Equal(keys.Skip(4).ToHashSet(), got.Missing.ToHashSet());
    }

    [Fact]
    public async Task Should_apply_no_key_of_a_batch_with_an_invalid_item()
    {
        var keys = KeysOfShard(Shard, 3);
        var items = new[] { new KeyValue(keys[0], Bytes("ok")), new KeyValue(keys[1], new byte[500]), new KeyValue(keys[2], Bytes("ok")) };
        _entry.Tell(new SetMany(Shard, items, CacheExpiry.Never));
        var failure = await ExpectMsgAsync<SetManyFailure>();
        _entry.Tell(new GetMany(Shard, keys));
        var got = await ExpectMsgAsync<GetManySuccess>();

        Assert.Equal(keys, failure.Keys);
        Assert.Empty(got.Found);
    }

    [Fact]
    public async Task Should_register_counters_with_the_node_metrics()
    {
        var keys = KeysOfShard(Shard, 2);
        _entry.Tell(new Set(keys[0], Bytes("v"), CacheExpiry.Never));
        _entry.Tell(new Get(keys[0]));
        _entry.Tell(new Get(keys[1]));
        await ExpectMsgAsync<SetSuccess>();
        await ExpectMsgAsync<GetSuccess>();
        await ExpectMsgAsync<NotFound>();

        var stats = NodeStatsActor.Snapshot("node", _metrics, _context.Budget);
        Assert.Equal(1, stats.ShardsOwned);
        Assert.Equal(1, stats.PrimaryEntries);
        Assert.Equal(1, stats.Hits);
        Assert.Equal(1, stats.Misses);
        Assert.Equal(1, stats.Sets);
    }

    [Fact]
    public async Task Should_stop_on_the_handoff_message_and_unregister()
    {
        await AwaitAssertAsync(() => Assert.Equal(1, _metrics.ShardsOwned));
        Watch(_entry);
        _entry.Tell(StopEntry.Instance);

        await ExpectTerminatedAsync(_entry);
        Assert.Equal(0, _metrics.ShardsOwned);
    }
}
