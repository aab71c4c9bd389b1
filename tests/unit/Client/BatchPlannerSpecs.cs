using DistCacheAkka.ClientProxy.Actors;
using DistCacheAkka.Messages;
using DistCacheAkka.Messages.Hashing;

namespace DistCacheAkka.Tests.Unit.Client;

// The client splits batches by shard (so each EntryActor gets its subset) and by size (so no message exceeds the
// frame size). Every key must land in exactly one part, in the shard it hashes to.
public class BatchPlannerSpecs
{
    private readonly ShardResolver _resolver = new(1024);

    [Fact]
    public void Should_put_every_key_once_into_the_part_of_its_shard()
    {
        var keys = Enumerable.Range(0, 5_000).Select(i => $"user:{i}").ToList();

        var parts = BatchPlanner.SplitGets(keys.Concat(keys.Take(100)), _resolver, ConsistencyLevel.Quorum, 512 * 1024);

        var all = parts.SelectMany(p => p.Keys).ToList();
        Assert.Equal(keys.Count, all.Count);
        Assert.Equal(keys.ToHashSet(), all.ToHashSet());
        Assert.All(parts, p => Assert.All(p.Keys, k => Assert.Equal(p.ShardId, _resolver.ShardOf(k))));
        Assert.All(parts, p => Assert.Equal(ConsistencyLevel.Quorum, p.Consistency));
        Assert.Equal(parts.Count, parts.Select(p => p.ShardId).Distinct().Count());
    }

    [Fact]
    public void Should_cut_a_shard_subset_into_chunks_under_the_byte_limit()
    {
        var sameShard = Enumerable.Range(0, 100_000).Select(i => $"k{i}").Where(k => _resolver.ShardOf(k) == 5).Take(40).ToList();
        var items = sameShard.Select(k => new KeyValue(k, new byte[1000])).ToList();

        var parts = BatchPlanner.SplitSets(items, _resolver, CacheExpiry.Never, ConsistencyLevel.Eventual, maxBatchBytes: 4096);

        Assert.True(parts.Count >= 10);
        Assert.All(parts, p => Assert.True(p.Items.Sum(i => i.Value.Length + i.Key.Length) <= 4096));
        Assert.Equal(sameShard, parts.SelectMany(p => p.Items).Select(i => i.Key));
    }

    [Fact]
    public void Should_keep_the_last_value_of_a_duplicated_key()
    {
        var items = new[] { new KeyValue("a", [1]), new KeyValue("a", [2]) };

        var parts = BatchPlanner.SplitSets(items, _resolver, CacheExpiry.Never, ConsistencyLevel.Eventual, 4096);

        var item = Assert.Single(Assert.Single(parts).Items);
        Assert.Equal(new byte[] { 2 }, item.Value);
    }

    [Fact]
    public void Should_return_no_parts_for_no_keys()
    {
        Assert.Empty(BatchPlanner.SplitGets([], _resolver, ConsistencyLevel.Eventual, 4096));
    }
}
