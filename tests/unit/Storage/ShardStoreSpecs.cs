using DistCacheAkka.CacheNode.Storage;
using DistCacheAkka.Messages;
using DistCacheAkka.Tests.Unit.Support;

namespace DistCacheAkka.Tests.Unit.Storage;

// ShardStore holds one shard's entries without Akka. These specs pin down, with a manual clock: absolute and
// sliding expiry (lazy and swept), versions growing per write, tombstones that block stale replication, and the
// counters that feed cluster stats.
public class ShardStoreSpecs
{
    private static readonly TimeSpan Grace = TimeSpan.FromSeconds(60);
    private readonly ManualTimeProvider _clock = new();

    private ShardStore NewStore() => new(shardId: 7, epoch: 1, Grace, _clock);

    private static byte[] Bytes(string s) => System.Text.Encoding.UTF8.GetBytes(s);

    [Fact]
    public void Should_return_what_was_set_and_count_hits_and_misses()
    {
        var store = NewStore();
        store.Set("a", Bytes("1"), CacheExpiry.Never, out var overwritten);

        Assert.False(overwritten);
        Assert.True(store.TryGet("a", out var value, out var version));
        Assert.Equal(Bytes("1"), value);
        Assert.Equal(new EntryVersion(1, 1), version);
        Assert.False(store.TryGet("b", out _, out _));
        Assert.Equal(1, store.Counters.Hits);
        Assert.Equal(1, store.Counters.Misses);
        Assert.Equal(1, store.Counters.Entries);
        Assert.Equal(1 + 2, store.Counters.Bytes);
    }

    [Fact]
    public void Should_issue_increasing_versions_and_report_overwrites()
    {
        var store = NewStore();
        var v1 = store.Set("a", Bytes("1"), CacheExpiry.Never, out _);
        var v2 = store.Set("a", Bytes("22"), CacheExpiry.Never, out var overwritten);
        var v3 = store.Set("b", Bytes("3"), CacheExpiry.Never, out _);

        Assert.True(overwritten);
        Assert.True(v2 > v1);
        Assert.True(v3 > v2);
        Assert.Equal(2, store.Counters.Entries);
        Assert.Equal(2 + 2 + 1 + 2, store.Counters.Bytes);
    }

    [Fact]
    public void Should_expire_an_absolute_ttl_exactly_at_its_deadline()
    {
        var store = NewStore();
        store.Set("a", Bytes("1"), CacheExpiry.After(TimeSpan.FromSeconds(10)), out _);

        _clock.Advance(TimeSpan.FromSeconds(9.999));
        Assert.True(store.TryGet("a", out _, out _));
        _clock.Advance(TimeSpan.FromMilliseconds(1));
        Assert.False(store.TryGet("a", out _, out _));
        Assert.Equal(1, store.Counters.Expirations);
        Assert.Equal(0, store.Counters.Entries);
        Assert.Equal(0, store.Counters.Bytes);
        Assert.Equal("a", Assert.Single(store.DrainExpired()).Key);
        Assert.Empty(store.DrainExpired());
    }

    [Fact]
    public void Should_not_extend_an_absolute_ttl_on_read()
    {
        var store = NewStore();
        store.Set("a", Bytes("1"), CacheExpiry.After(TimeSpan.FromSeconds(10)), out _);
        for (var i = 0; i < 9; i++)
        {
            _clock.Advance(TimeSpan.FromSeconds(1));
            Assert.True(store.TryGet("a", out _, out _));
        }

        _clock.Advance(TimeSpan.FromSeconds(1));
        Assert.False(store.TryGet("a", out _, out _));
    }

    [Fact]
    public void Should_refresh_a_sliding_ttl_on_every_read()
    {
        var store = NewStore();
        store.Set("a", Bytes("1"), CacheExpiry.Sliding(TimeSpan.FromSeconds(10)), out _);
        for (var i = 0; i < 5; i++)
        {
            _clock.Advance(TimeSpan.FromSeconds(8));
            Assert.True(store.TryGet("a", out _, out _));
        }

        _clock.Advance(TimeSpan.FromSeconds(10));
        Assert.False(store.TryGet("a", out _, out _));
    }

    [Fact]
    public void Should_sweep_expired_entries_without_access()
    {
        var store = NewStore();
        for (var i = 0; i < 500; i++)
            store.Set($"k{i}", Bytes("v"), CacheExpiry.After(TimeSpan.FromSeconds(1)), out _);
        store.Set("forever", Bytes("v"), CacheExpiry.Never, out _);

        _clock.Advance(TimeSpan.FromSeconds(2));
        var rounds = 0;
        while (store.Counters.Entries > 1 && rounds++ < 100)
            store.SweepExpired(sampleSize: 64);

        Assert.Equal(1, store.Counters.Entries);
        Assert.Equal(500, store.Counters.Expirations);
        Assert.Equal(500, store.DrainExpired().Count);
        Assert.True(store.TryGet("forever", out _, out _));
    }

    [Fact]
    public void Should_purge_tombstones_after_the_grace_period()
    {
        var store = NewStore();
        store.Set("a", Bytes("1"), CacheExpiry.Never, out _);
        Assert.True(store.Remove("a", out _));
        Assert.Equal(1, store.SlotCount); // the tombstone

        _clock.Advance(Grace + TimeSpan.FromSeconds(1));
        store.SweepExpired(sampleSize: 64);
        Assert.Equal(0, store.SlotCount);
    }

    [Fact]
    public void Should_report_whether_a_removed_key_existed()
    {
        var store = NewStore();
        store.Set("a", Bytes("1"), CacheExpiry.Never, out _);

        Assert.True(store.Remove("a", out var v1));
        Assert.False(store.Remove("a", out var v2));
        Assert.False(store.Remove("never-set", out _));
        Assert.True(v2 > v1);
        Assert.False(store.TryGet("a", out _, out _));
        Assert.Equal(0, store.Counters.Entries);
        Assert.Equal(3, store.Counters.Removes);
    }

    [Fact]
    public void Should_let_a_tombstone_block_an_older_replicated_set()
    {
        var store = NewStore();
        var older = store.Set("a", Bytes("old"), CacheExpiry.Never, out _);
        store.Remove("a", out var tombstone);

        var applied = store.ApplyReplicated("a", Bytes("old"), older, ExpiryKind.None, 0, 0, tombstone: false);

        Assert.False(applied);
        Assert.False(store.TryGet("a", out _, out _));
        Assert.True(tombstone > older);
    }

    [Fact]
    public void Should_ignore_duplicate_and_stale_replication_and_apply_newer()
    {
        var store = NewStore();
        var v5 = new EntryVersion(1, 5);
        Assert.True(store.ApplyReplicated("a", Bytes("five"), v5, ExpiryKind.None, 0, 0, false));
        Assert.False(store.ApplyReplicated("a", Bytes("five"), v5, ExpiryKind.None, 0, 0, false));
        Assert.False(store.ApplyReplicated("a", Bytes("four"), new EntryVersion(1, 4), ExpiryKind.None, 0, 0, false));
        Assert.True(store.ApplyReplicated("a", Bytes("epoch2"), new EntryVersion(2, 1), ExpiryKind.None, 0, 0, false));

        Assert.True(store.TryGet("a", out var value, out var version));
        Assert.Equal(Bytes("epoch2"), value);
        Assert.Equal(new EntryVersion(2, 1), version);
        Assert.Equal(1, store.Counters.Entries);
    }

    [Fact]
    public void Should_keep_versions_ahead_of_replicated_ones_of_its_own_epoch()
    {
        var store = NewStore();
        store.ApplyReplicated("a", Bytes("x"), new EntryVersion(1, 41), ExpiryKind.None, 0, 0, false);

        var next = store.Set("b", Bytes("y"), CacheExpiry.Never, out _);

        Assert.Equal(new EntryVersion(1, 42), next);
    }

    [Fact]
    public void Should_start_a_greater_epoch_only()
    {
        var store = NewStore();
        store.StartEpoch(3);
        Assert.Equal(new EntryVersion(3, 1), store.Set("a", Bytes("1"), CacheExpiry.Never, out _));
        Assert.Throws<ArgumentOutOfRangeException>(() => store.StartEpoch(3));
    }
}
