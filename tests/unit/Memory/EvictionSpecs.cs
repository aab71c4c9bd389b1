using DistCacheAkka.CacheNode.Memory;
using DistCacheAkka.CacheNode.Storage;
using DistCacheAkka.Messages;
using DistCacheAkka.Tests.Unit.Support;

namespace DistCacheAkka.Tests.Unit.Memory;

// ShardStore.Admit decides, on the primary, what a write that needs room does under each policy: lru evicts the least
// recently used, lfu the least frequently used, volatile-ttl the soonest to expire (and refuses when nothing has a TTL),
// noeviction refuses with the usage. Evictions are versioned tombstones newer than what they remove, counted, and never
// hit the key being written. A backup's over-budget report makes the primary hold its shard's size (evict what it
// writes) or, far over, shrink it (twice what it writes).
public class EvictionSpecs
{
    private const int ValueBytes = 1000;
    private readonly ManualTimeProvider _clock = new();

    private static long Slot(string key) => EntrySize.Of(key, ValueBytes);

    // Room for `slots` values and as many tombstones: an eviction frees the value at once, but its tombstone keeps the
    // key and the slot's overhead for the eviction grace.
    private (ShardStore Store, MemoryBudget Budget) NewStore(EvictionPolicy policy, int slots, int samples = 5)
    {
        var budget = new MemoryBudget(slots * (Slot("key:00") + EntrySize.Of("key:00", 0)), policy, samples, TimeSpan.FromSeconds(5));
        return (new ShardStore(3, epoch: 1, TimeSpan.FromSeconds(60), _clock, seed: 11, budget: budget), budget);
    }

    private static Admission Write(ShardStore store, string key, CacheExpiry? expiry = null)
    {
        var admission = store.Admit(store.CostOfWrite(key, ValueBytes), keep: key);
        if (admission.Admitted)
            store.Set(key, new byte[ValueBytes], expiry ?? CacheExpiry.Never, out _);
        return admission;
    }

    [Fact]
    public void Should_admit_without_evicting_while_the_budget_has_room()
    {
        var (store, _) = NewStore(EvictionPolicy.Lru, slots: 10);
        for (var i = 0; i < 10; i++)
            Assert.Empty(Write(store, $"key:{i:00}").Evicted);
        Assert.Equal(0, store.Counters.Evictions);
    }

    [Fact]
    public void Should_evict_the_least_recently_used_under_lru()
    {
        // 4 slots and 32 samples (with replacement): every eviction sees the whole shard, so LRU is exact here.
        var (store, budget) = NewStore(EvictionPolicy.Lru, slots: 4, samples: 32);
        foreach (var key in new[] { "key:00", "key:01", "key:02", "key:03" })
            Write(store, key);
        store.TryGet("key:00", out _, out _); // key:01 is now the least recently used

        var admission = Write(store, "key:04");

        Assert.True(admission.Admitted);
        var evicted = Assert.Single(admission.Evicted);
        Assert.Equal("key:01", evicted.Key);
        Assert.True(evicted.IsTombstone);
        Assert.False(store.TryGet("key:01", out _, out _));
        Assert.True(store.TryGet("key:00", out _, out _));
        Assert.Equal(1, store.Counters.Evictions);
        Assert.True(budget.UsedBytes <= budget.LimitBytes + EntrySize.Of("key:01", 0), $"used {budget.UsedBytes} of {budget.LimitBytes}");
    }

    [Fact]
    public void Should_version_an_eviction_above_the_value_it_removes_and_keep_its_tombstone_for_the_eviction_grace()
    {
        var (store, _) = NewStore(EvictionPolicy.Lru, slots: 1);
        var written = store.Set("key:00", new byte[ValueBytes], CacheExpiry.Never, out _);

        var evicted = Assert.Single(Write(store, "key:01").Evicted);

        Assert.True(evicted.Version > written);
        Assert.Equal(_clock.GetUtcNow().UtcTicks + TimeSpan.FromSeconds(5).Ticks, evicted.DeadlineTicks);
        Assert.Equal(evicted, store.Export("key:00")); // what the backups get is what the primary holds
    }

    [Fact]
    public void Should_never_evict_the_key_being_written()
    {
        var (store, _) = NewStore(EvictionPolicy.Lru, slots: 1, samples: 1);
        Write(store, "key:00");

        var grown = store.Admit(store.CostOfWrite("key:00", 2 * ValueBytes), keep: "key:00");

        Assert.True(grown.Admitted);
        Assert.Empty(grown.Evicted); // nothing else to evict: admitted over budget (other shards' writes evict)
        Assert.True(store.TryGet("key:00", out _, out _));
    }

    [Fact]
    public void Should_refuse_under_noeviction_naming_the_usage_and_still_serve_reads_and_removes()
    {
        var (store, budget) = NewStore(EvictionPolicy.NoEviction, slots: 2);
        Write(store, "key:00");
        Write(store, "key:01");

        var refused = Write(store, "key:02");

        Assert.False(refused.Admitted);
        Assert.Equal(budget.UsedBytes, refused.UsedBytes);
        Assert.Equal(budget.LimitBytes, refused.LimitBytes);
        Assert.Equal(1, budget.RefusedWrites);
        Assert.Equal(0, store.Counters.Evictions);
        Assert.True(store.TryGet("key:00", out _, out _));
        Assert.True(store.Remove("key:00", out _));
        Assert.True(Write(store, "key:02").Admitted); // the removal's value freed room
    }

    [Fact]
    public void Should_evict_the_soonest_to_expire_under_volatile_ttl_and_never_an_entry_without_ttl()
    {
        var (store, _) = NewStore(EvictionPolicy.VolatileTtl, slots: 3, samples: 32);
        Write(store, "key:00");
        Write(store, "key:01", CacheExpiry.After(TimeSpan.FromMinutes(10)));
        Write(store, "key:02", CacheExpiry.After(TimeSpan.FromMinutes(1)));

        Assert.Equal("key:02", Assert.Single(Write(store, "key:03").Evicted).Key);
        Assert.Equal("key:01", Assert.Single(Write(store, "key:04").Evicted).Key);
        var refused = Write(store, "key:05");
        Assert.False(refused.Admitted); // only key:00 (no TTL) and the new ones (no TTL) are left
        Assert.True(store.TryGet("key:00", out _, out _));
    }

    [Fact]
    public void Should_keep_frequently_read_entries_under_lfu_where_lru_would_evict_them()
    {
        var (store, _) = NewStore(EvictionPolicy.Lfu, slots: 4, samples: 32);
        Write(store, "key:00");
        for (var i = 0; i < 50; i++)
            store.TryGet("key:00", out _, out _);
        Write(store, "key:01");
        Write(store, "key:02");
        Write(store, "key:03");
        // key:00 is the least recently used but by far the most frequently used.
        var evicted = Assert.Single(Write(store, "key:04").Evicted);

        Assert.NotEqual("key:00", evicted.Key);
        Assert.True(store.TryGet("key:00", out _, out _));
    }

    [Fact]
    public void Should_evict_what_it_writes_when_a_backup_is_at_its_limit()
    {
        var (store, budget) = NewStore(EvictionPolicy.Lru, slots: 100);
        for (var i = 0; i < 10; i++)
            Write(store, $"key:{i:00}");

        var admission = store.Admit(store.CostOfWrite("key:10", ValueBytes), backupPressure: BackupPressure.Hold, keep: "key:10");

        Assert.True(budget.Shortfall(Slot("key:10")) < 0); // this node has room
        Assert.Equal(2, admission.Evicted.Count); // one slot's worth; an eviction frees only the value at once
    }

    [Theory]
    [InlineData(1000, 999, "None")]
    [InlineData(1000, 1000, "None")]
    [InlineData(1000, 1001, "Hold")]
    [InlineData(1000, 1020, "Hold")]
    [InlineData(1000, 1021, "Shrink")]
    public void Should_derive_the_pressure_from_a_backups_usage(long limit, long used, string pressure) =>
        Assert.Equal(pressure, MemoryBudget.PressureOf(used, limit).ToString());

    [Fact]
    public void Should_evict_at_least_twice_the_write_when_a_backup_reports_its_node_far_over_budget()
    {
        var (store, budget) = NewStore(EvictionPolicy.Lru, slots: 100);
        for (var i = 0; i < 10; i++)
            Write(store, $"key:{i:00}");
        Assert.True(budget.Shortfall(Slot("key:10")) < 0); // this node has room

        var admission = store.Admit(store.CostOfWrite("key:10", ValueBytes), backupPressure: BackupPressure.Shrink, keep: "key:10");
        Assert.True(admission.Evicted.Count <= 3, $"{admission.Evicted.Count} evictions for one write");

        Assert.True(admission.Admitted);
        var freed = admission.Evicted.Sum(e => EntrySize.ArrayBytes(ValueBytes));
        Assert.True(freed >= 2 * Slot("key:10") - EntrySize.ArrayBytes(ValueBytes), $"freed {freed}");
        Assert.True(admission.Evicted.Count >= 2);
    }

    [Fact]
    public void Should_refuse_under_noeviction_when_a_backup_reports_its_node_over_budget()
    {
        var (store, _) = NewStore(EvictionPolicy.NoEviction, slots: 100);
        Assert.False(store.Admit(store.CostOfWrite("key:00", ValueBytes), backupPressure: BackupPressure.Hold).Admitted);
    }

    [Fact]
    public void Should_evict_at_most_twice_the_write_however_far_the_node_is_over()
    {
        // The node is 100 values over budget (e.g. backups arrived); one write must not drain this shard for it.
        var budget = new MemoryBudget(100 * Slot("key:0000"), EvictionPolicy.Lru, 5, TimeSpan.FromSeconds(5));
        var store = new ShardStore(3, 1, TimeSpan.FromSeconds(60), _clock, seed: 5, budget: budget);
        for (var i = 0; i < 200; i++)
            store.Set($"key:{i:0000}", new byte[ValueBytes], CacheExpiry.Never, out _);

        var admission = store.Admit(store.CostOfWrite("key:0200", ValueBytes), keep: "key:0200");

        // Twice the write is ~2.4 KB; each eviction frees a 1 KB value at once.
        Assert.InRange(admission.Evicted.Count, 2, 3);
    }

    [Fact]
    public void Should_evict_more_from_a_shard_above_the_nodes_mean_and_less_from_one_below()
    {
        // Two primary shards on one node, 300 and 100 values; the node is 50 values over. Each write evicts up to
        // twice itself, weighted by its shard's size against the mean.
        var budget = new MemoryBudget(350 * Slot("key:0000"), EvictionPolicy.Lru, 5, TimeSpan.FromSeconds(5));
        var large = new ShardStore(1, 1, TimeSpan.FromSeconds(60), _clock, seed: 5, budget: budget, primary: true);
        var small = new ShardStore(2, 1, TimeSpan.FromSeconds(60), _clock, seed: 6, budget: budget, primary: true);
        for (var i = 0; i < 300; i++)
            large.Set($"key:{i:0000}", new byte[ValueBytes], CacheExpiry.Never, out _);
        for (var i = 300; i < 400; i++)
            small.Set($"key:{i:0000}", new byte[ValueBytes], CacheExpiry.Never, out _);
        Assert.Equal(200 * Slot("key:0000"), budget.MeanPrimaryShardBytes);

        var fromSmall = small.Admit(small.CostOfWrite("key:0400", ValueBytes), keep: "key:0400");
        var fromLarge = large.Admit(large.CostOfWrite("key:0401", ValueBytes), keep: "key:0401");

        // Weight 0.5 for the small shard (one slot's worth: 2 values, as an eviction frees only the value at once),
        // 1.5 for the large one (three slots' worth: 4 values).
        Assert.Equal(2, fromSmall.Evicted.Count);
        Assert.Equal(4, fromLarge.Evicted.Count);
        Assert.True(fromLarge.Evicted.Count > fromSmall.Evicted.Count);
    }

    [Fact]
    public void Should_bound_the_evictions_of_one_write()
    {
        var budget = new MemoryBudget(1000 * Slot("key:0000"), EvictionPolicy.Lru, 5, TimeSpan.FromSeconds(5));
        var store = new ShardStore(3, 1, TimeSpan.FromSeconds(60), _clock, seed: 5, budget: budget);
        for (var i = 0; i < 1000; i++)
            store.Set($"key:{i:0000}", new byte[ValueBytes], CacheExpiry.Never, out _);

        var huge = store.Admit(500 * Slot("key:0000"), keys: 2);

        Assert.Equal(2 * ShardStore.MaxEvictionsPerKey, huge.Evicted.Count);
    }
}
