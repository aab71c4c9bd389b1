using DistCacheAkka.Messages.Hashing;
using Xunit.Abstractions;

namespace DistCacheAkka.Tests.Unit.Hashing;

// Verifies HashRing<TNode>: replica lists are distinct and in ring order, the ring is immutable and independent of
// insertion order (every process must build the same ring), only a removed node's keys move, and the load estimate
// is consistent. It also measures how unevenly a plain 150-vnode ring spreads shards, which is why the placement
// planner exists.
public class HashRingSpecs(ITestOutputHelper output)
{
    private static readonly string[] TenNodes = Enumerable.Range(1, 10).Select(i => $"node-{i}").ToArray();

    private static IEnumerable<string> Keys(int count, int seed = 1)
    {
        var random = new Random(seed);
        for (var i = 0; i < count; i++)
            yield return $"key-{random.NextInt64():x}";
    }

    [Fact]
    public void Should_return_min_of_count_and_N_distinct_nodes_in_ring_order_starting_with_the_owner()
    {
        var ring = new HashRing<string>(TenNodes.Take(5));
        foreach (var key in Keys(300))
        {
            var full = ring.PreferenceOrder(KeyHasher.Hash(key));
            Assert.Equal(5, full.Count);
            Assert.Equal(5, full.Distinct().Count());

            for (var count = 0; count <= ring.Count + 2; count++)
            {
                var replicas = ring.GetReplicaNodes(key, count);
                Assert.Equal(Math.Min(count, ring.Count), replicas.Count);
                Assert.Equal(replicas.Count, replicas.Distinct().Count());
                Assert.Equal(full.Take(replicas.Count), replicas);
                if (count > 0)
                    Assert.Equal(ring.GetNode(key), replicas[0]);
                Assert.Equal(replicas, ring.GetReplicaNodes(KeyHasher.Hash(key), count));
            }
        }
    }

    [Fact]
    public void Should_list_replicas_in_the_order_their_first_virtual_node_follows_the_key()
    {
        // Independent check of "ring order": walk every virtual node position and keep first occurrences.
        var ring = new HashRing<string>(TenNodes.Take(4), virtualNodes: 8);
        var points = ring.Nodes
            .SelectMany(n => Enumerable.Range(0, 8).Select(i => (Position: PositionOf(n, i), Node: n)))
            .OrderBy(p => p.Position)
            .ToArray();

        foreach (var key in Keys(200, seed: 3))
        {
            var hash = KeyHasher.Hash(key);
            var start = Array.FindIndex(points, p => p.Position >= hash);
            if (start < 0)
                start = 0;
            var expected = new List<string>();
            for (var i = 0; i < points.Length && expected.Count < 4; i++)
            {
                var node = points[(start + i) % points.Length].Node;
                if (!expected.Contains(node))
                    expected.Add(node);
            }

            Assert.Equal(expected, ring.GetReplicaNodes(key, 4));
        }
    }

    // The documented placement rule, recomputed independently: virtual node i of a node sits at XxHash64("name#i").
    private static ulong PositionOf(string node, int replica) =>
        System.IO.Hashing.XxHash64.HashToUInt64(System.Text.Encoding.UTF8.GetBytes($"{node}#{replica}"));

    [Fact]
    public void Should_reject_a_negative_replica_count()
    {
        var ring = new HashRing<string>(TenNodes.Take(3));
        Assert.Throws<ArgumentOutOfRangeException>(() => ring.GetReplicaNodes("k", -1));
    }

    [Fact]
    public void Should_return_new_rings_on_add_and_remove_and_leave_the_original_unchanged()
    {
        var ring = new HashRing<string>(TenNodes.Take(3));
        var before = Keys(2000).ToDictionary(k => k, ring.GetNode);

        var added = ring.Add("node-4");
        var removed = ring.Remove("node-2");

        Assert.NotSame(ring, added);
        Assert.NotSame(ring, removed);
        Assert.Equal(3, ring.Count);
        Assert.Equal(4, added.Count);
        Assert.Equal(2, removed.Count);
        Assert.Equal(["node-1", "node-2", "node-3"], ring.Nodes);
        Assert.Equal(["node-1", "node-3"], removed.Nodes);
        Assert.All(before, kv => Assert.Equal(kv.Value, ring.GetNode(kv.Key)));
    }

    [Fact]
    public void Should_move_only_the_removed_nodes_keys_on_remove_and_only_keys_to_the_new_node_on_add()
    {
        var ring = new HashRing<string>(TenNodes.Take(6));
        var keys = Keys(20_000).ToArray();
        var removed = ring.Remove("node-3");
        var added = ring.Add("node-7");
        int movedOnRemove = 0, movedOnAdd = 0;

        foreach (var key in keys)
        {
            var owner = ring.GetNode(key);
            var afterRemove = removed.GetNode(key);
            if (owner == "node-3")
            {
                Assert.NotEqual("node-3", afterRemove);
                movedOnRemove++;
            }
            else
            {
                Assert.Equal(owner, afterRemove);
            }

            var afterAdd = added.GetNode(key);
            if (afterAdd != owner)
            {
                Assert.Equal("node-7", afterAdd);
                movedOnAdd++;
            }
        }

        Assert.True(movedOnRemove > 0, "node-3 owned no keys");
        Assert.True(movedOnAdd > 0, "node-7 took no keys");
    }

    [Fact]
    public void Should_give_identical_lookups_whatever_the_insertion_order()
    {
        var sorted = new HashRing<string>(TenNodes);
        var reversed = new HashRing<string>(TenNodes.Reverse());
        var shuffled = new HashRing<string>(TenNodes.OrderBy(n => n.GetHashCode()));
        var grown = TenNodes[..^1].Reverse().Aggregate(new HashRing<string>([TenNodes[^1]]), (r, n) => r.Add(n));

        Assert.Equal(sorted.Nodes, reversed.Nodes);
        Assert.Equal(sorted.Nodes, grown.Nodes);
        foreach (var key in Keys(5000))
        {
            var expected = sorted.GetReplicaNodes(key, 3);
            Assert.Equal(expected, reversed.GetReplicaNodes(key, 3));
            Assert.Equal(expected, shuffled.GetReplicaNodes(key, 3));
            Assert.Equal(expected, grown.GetReplicaNodes(key, 3));
        }
    }

    [Fact]
    public void Should_throw_InvalidOperationException_when_looking_up_in_an_empty_ring()
    {
        var empty = new HashRing<string>([]);
        Assert.Equal(0, empty.Count);
        Assert.Throws<InvalidOperationException>(() => empty.GetNode("k"));
        Assert.Throws<InvalidOperationException>(() => empty.GetNode(42UL));
        Assert.Throws<InvalidOperationException>(() => new HashRing<string>(["a"]).Remove("a").GetNode("k"));
        // min(count, 0) = 0 replicas: an empty list rather than an exception.
        Assert.Empty(empty.GetReplicaNodes("k", 2));
    }

    [Fact]
    public void Should_reject_a_non_positive_virtual_node_count()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new HashRing<string>(TenNodes, virtualNodes: 0));
    }

    [Theory]
    [InlineData(1, 1_000_000L)]
    [InlineData(3, 1_000_000L)]
    [InlineData(10, 1_000_003L)]
    [InlineData(10, 7L)]
    [InlineData(10, 0L)]
    public void Should_make_the_load_distribution_sum_to_the_key_count(int nodes, long keyCount)
    {
        var ring = new HashRing<string>(TenNodes.Take(nodes));
        var load = ring.GetLoadDistribution(keyCount);

        Assert.Equal(ring.Nodes.OrderBy(n => n), load.Keys.OrderBy(n => n));
        Assert.Equal(keyCount, load.Values.Sum());
        Assert.All(load.Values, v => Assert.True(v >= 0, $"negative share {v}"));
    }

    [Fact]
    public void Should_estimate_the_load_close_to_the_actual_key_spread()
    {
        var ring = new HashRing<string>(TenNodes);
        const int keyCount = 200_000;
        var actual = Keys(keyCount).GroupBy(ring.GetNode).ToDictionary(g => g.Key, g => g.Count());
        var estimated = ring.GetLoadDistribution(keyCount);
        foreach (var node in TenNodes)
            Assert.InRange(actual[node], estimated[node] * 0.95, estimated[node] * 1.05);
    }

    [Fact]
    public void Should_spread_shards_less_evenly_on_a_plain_ring_than_the_placement_planner()
    {
        const int shards = 1024;
        var ring = new HashRing<string>(TenNodes, virtualNodes: 150);
        var mean = shards / (double)TenNodes.Length;

        var ringShards = Enumerable.Range(0, shards)
            .GroupBy(s => ring.GetNode(HashRing<string>.ShardPosition(s)))
            .ToDictionary(g => g.Key, g => g.Count());
        var ringDeviation = TenNodes.Max(n => Math.Abs(ringShards.GetValueOrDefault(n) - mean) / mean);

        const int keyCount = 1_000_000;
        var ringKeys = new Dictionary<string, int>();
        foreach (var key in Keys(keyCount, seed: 99))
            ringKeys[ring.GetNode(key)] = ringKeys.GetValueOrDefault(ring.GetNode(key)) + 1;
        var keyMean = keyCount / (double)TenNodes.Length;
        var keyDeviation = TenNodes.Max(n => Math.Abs(ringKeys.GetValueOrDefault(n) - keyMean) / keyMean);

        var plan = new ShardPlacementPlanner(shards).Plan(TenNodes, new Dictionary<int, string>());
        var planned = plan.GroupBy(p => p.Value).ToDictionary(g => g.Key, g => g.Count());
        var plannerDeviation = TenNodes.Max(n => Math.Abs(planned[n] - mean) / mean);

        output.WriteLine($"Plain ring, 10 nodes x 150 vnodes, first preference only:");
        output.WriteLine($"  {shards} shards by ShardPosition: min {ringShards.Values.Min()}, max {ringShards.Values.Max()}, " +
                         $"mean {mean:F1}, max deviation {ringDeviation:P1}");
        output.WriteLine($"  {keyCount:N0} keys: min {ringKeys.Values.Min()}, max {ringKeys.Values.Max()}, " +
                         $"mean {keyMean:F0}, max deviation {keyDeviation:P1}");
        output.WriteLine($"Planner: min {planned.Values.Min()}, max {planned.Values.Max()}, max deviation {plannerDeviation:P1}");

        Assert.True(ringDeviation > 0.05, $"plain ring shard deviation {ringDeviation:P1} expected > 5%");
        Assert.True(keyDeviation > 0.05, $"plain ring key deviation {keyDeviation:P1} expected > 5%");
        Assert.True(plannerDeviation < 0.01, $"planner deviation {plannerDeviation:P1} expected < 1%");
        Assert.True(ringDeviation > plannerDeviation);
    }
}
