using DistCacheAkka.CacheNode.Memory;
using DistCacheAkka.CacheNode.Storage;
using DistCacheAkka.Messages;
using DistCacheAkka.Tests.Unit.Support;

namespace DistCacheAkka.Tests.Unit.Memory;

// Every slot a ShardStore holds is accounted in the node's MemoryBudget: sets, overwrites, removes (the tombstone keeps
// key and overhead), expiry, purging, backups (replicated entries), dropped buckets, and a released store. Two stores
// sharing one budget (a primary and a backup on one node) add up; when everything is gone the budget is back at 0.
public class MemoryAccountingSpecs
{
    private static readonly TimeSpan Grace = TimeSpan.FromSeconds(60);
    private readonly ManualTimeProvider _clock = new();
    private readonly MemoryBudget _budget = new(long.MaxValue, EvictionPolicy.Lru, 5, TimeSpan.FromSeconds(5));

    private ShardStore NewStore(int shard = 7) => new(shard, epoch: 1, Grace, _clock, budget: _budget);

    private static byte[] Value(int length) => new byte[length];

    [Fact]
    public void Should_account_a_set_as_overhead_plus_key_plus_value()
    {
        var store = NewStore();
        store.Set("user:42", Value(100), CacheExpiry.Never, out _);

        var expected = EntrySize.SlotOverheadBytes + EntrySize.StringBytes("user:42".Length) + EntrySize.ArrayBytes(100);
        Assert.Equal(expected, store.MemoryBytes);
        Assert.Equal(expected, _budget.UsedBytes);
        Assert.Equal(expected, EntrySize.Of("user:42", 100));
        Assert.Equal(expected, store.CostOfWrite("other:1", 100)); // same key length, same value length
    }

    [Fact]
    public void Should_account_only_the_value_difference_on_an_overwrite()
    {
        var store = NewStore();
        store.Set("a", Value(100), CacheExpiry.Never, out _);
        Assert.Equal(EntrySize.ArrayBytes(1000) - EntrySize.ArrayBytes(100), store.CostOfWrite("a", 1000));

        store.Set("a", Value(1000), CacheExpiry.Never, out _);

        Assert.Equal(EntrySize.Of("a", 1000), _budget.UsedBytes);
    }

    [Fact]
    public void Should_keep_key_and_overhead_for_a_tombstone_until_its_grace_passes()
    {
        var store = NewStore();
        store.Set("a", Value(500), CacheExpiry.Never, out _);
        store.Remove("a", out _);

        Assert.Equal(EntrySize.Of("a", 0), _budget.UsedBytes);

        _clock.Advance(Grace + TimeSpan.FromSeconds(1));
        store.SweepExpired(64);

        Assert.Equal(0, _budget.UsedBytes);
    }

    [Fact]
    public void Should_free_the_value_of_an_expired_entry_and_later_its_tombstone()
    {
        var store = NewStore();
        store.Set("a", Value(500), CacheExpiry.After(TimeSpan.FromSeconds(1)), out _);
        _clock.Advance(TimeSpan.FromSeconds(2));

        Assert.False(store.TryGet("a", out _, out _));
        Assert.Equal(EntrySize.Of("a", 0), _budget.UsedBytes);

        _clock.Advance(Grace + TimeSpan.FromSeconds(1));
        store.SweepExpired(64);
        Assert.Equal(0, _budget.UsedBytes);
    }

    [Fact]
    public void Should_add_up_a_primary_and_a_backup_on_one_node_and_return_to_zero_when_released()
    {
        var primary = NewStore(1);
        var backup = NewStore(2);
        primary.Set("p", Value(100), CacheExpiry.Never, out _);
        backup.Apply(new ReplicaEntry("b", Value(200), new EntryVersion(3, 9), ExpiryKind.None, 0, 0, false));
        backup.Apply(new ReplicaEntry("t", [], new EntryVersion(3, 10), ExpiryKind.None, 0, 0, true));

        Assert.Equal(EntrySize.Of("p", 100) + EntrySize.Of("b", 200) + EntrySize.Of("t", 0), _budget.UsedBytes);
        Assert.Equal(primary.MemoryBytes + backup.MemoryBytes, _budget.UsedBytes);

        primary.Release();
        backup.Release();
        Assert.Equal(0, _budget.UsedBytes);
    }

    [Fact]
    public void Should_account_a_replicated_overwrite_and_a_dropped_bucket()
    {
        var backup = NewStore();
        backup.Apply(new ReplicaEntry("k", Value(100), new EntryVersion(1, 1), ExpiryKind.None, 0, 0, false));
        backup.Apply(new ReplicaEntry("k", Value(300), new EntryVersion(1, 2), ExpiryKind.None, 0, 0, false));
        Assert.Equal(EntrySize.Of("k", 300), _budget.UsedBytes);

        backup.DropBuckets(1, [0]); // one bucket: everything
        Assert.Equal(0, _budget.UsedBytes);
        Assert.Equal(0, backup.Counters.Entries);
    }

    [Fact]
    public void Should_match_the_sum_of_its_slots_after_a_random_mix_of_operations()
    {
        var store = NewStore();
        var random = new Random(42);
        for (var i = 0; i < 20_000; i++)
        {
            var key = $"key:{random.Next(500)}";
            switch (random.Next(4))
            {
                case 0 or 1:
                    store.Set(key, Value(random.Next(0, 2000)),
                        random.Next(3) == 0 ? CacheExpiry.After(TimeSpan.FromSeconds(random.Next(1, 30))) : CacheExpiry.Never, out _);
                    break;
                case 2:
                    store.Remove(key, out _);
                    break;
                default:
                    store.TryGet(key, out _, out _);
                    break;
            }

            if (i % 1000 == 0)
            {
                _clock.Advance(TimeSpan.FromSeconds(7));
                store.SweepExpired(64);
            }
        }

        var expected = store.Snapshot().Sum(e => EntrySize.Of(e.Key, e.Value.Length));
        Assert.Equal(expected, store.MemoryBytes);
        Assert.Equal(expected, _budget.UsedBytes);
    }
}
