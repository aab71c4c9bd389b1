using DistCacheAkka.CacheNode.Memory;
using DistCacheAkka.CacheNode.Storage;
using DistCacheAkka.Messages;
using Xunit.Abstractions;

namespace DistCacheAkka.Tests.Unit.Memory;

/// <summary>Specs that measure the GC heap run alone: another test allocating meanwhile would blur the figure.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class HeapMeasurement
{
    public const string Name = "heap measurement";
}

// The per-entry overhead in EntrySize is measured, not guessed: insert 200,000 entries (10-character keys, 100-byte or
// 1 KiB values, a third with a TTL) into one ShardStore and compare the bytes the budget accounts with the growth of the
// GC heap. They must agree within 10%; the measured overhead per slot is printed for bench/RESULTS.md.
[Collection(HeapMeasurement.Name)]
public class EntrySizeSpecs(ITestOutputHelper output)
{
    private const int Count = 200_000;

    [Theory]
    [InlineData(100)]
    [InlineData(1024)]
    public void Should_account_within_ten_percent_of_the_real_heap_growth(int valueBytes)
    {
        // The collection runs alone, but the process is shared: memory another test left behind (an ActorSystem still
        // terminating, a pending task's buffer) can be freed while we measure, and shrink the growth we see (once in
        // CI: the heap grew 46 MB for 65 MB accounted, a ratio of 1.17). An accounting error shows in every attempt; a
        // disturbed measurement does not repeat, so the spec takes the first of up to three attempts that agrees.
        var ratios = new List<double>();
        for (var attempt = 0; attempt < 3; attempt++)
        {
            ratios.Add(AccountedOverReal(valueBytes));
            if (ratios[^1] is >= 0.9 and <= 1.1)
                break;
        }

        Assert.InRange(ratios[^1], 0.9, 1.1);
    }

    private double AccountedOverReal(int valueBytes)
    {
        var budget = new MemoryBudget(long.MaxValue, EvictionPolicy.Lru, 5, TimeSpan.FromSeconds(5));
        var keys = Enumerable.Range(0, Count).Select(i => $"key:{i:000000}").ToArray();
        var before = HeapBytes();

        var store = new ShardStore(1, 1, TimeSpan.FromSeconds(60), TimeProvider.System, budget: budget);
        for (var i = 0; i < Count; i++)
            store.Set(keys[i], new byte[valueBytes], i % 3 == 0 ? CacheExpiry.After(TimeSpan.FromHours(1)) : CacheExpiry.Never, out _);

        var grown = HeapBytes() - before;
        var keysAndValues = Count * (EntrySize.StringBytes(10) + EntrySize.ArrayBytes(valueBytes));
        // The keys existed before: the store holds them, but they were not allocated by it.
        var stringsAllocatedBefore = Count * EntrySize.StringBytes(10);
        var real = grown + stringsAllocatedBefore;
        var measuredOverhead = (real - keysAndValues) / (double)Count;
        output.WriteLine($"{valueBytes}-byte values: heap grew {grown:N0} bytes for {Count:N0} entries; accounted {budget.UsedBytes:N0}; " +
                         $"real per entry {real / (double)Count:N1} bytes, of which overhead {measuredOverhead:N1} (EntrySize.SlotOverheadBytes = {EntrySize.SlotOverheadBytes})");
        GC.KeepAlive(store);
        GC.KeepAlive(keys);
        return budget.UsedBytes / (double)real;
    }

    private static long HeapBytes()
    {
        GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
        GC.WaitForPendingFinalizers();
        GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
        return GC.GetTotalMemory(forceFullCollection: true);
    }
}
