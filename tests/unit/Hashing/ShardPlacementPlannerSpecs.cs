using DistCacheAkka.Messages.Hashing;

namespace DistCacheAkka.Tests.Unit.Hashing;

// Verifies ShardPlacementPlanner: perfect balance (floor or ceil of S/N per node), minimal movement on join and
// leave (a rebalance hands off data, so every unnecessary move costs), determinism across nodes (every node computes
// the plan independently and must agree), the edge cases of tiny clusters, and Moves.
public class ShardPlacementPlannerSpecs
{
    private const int Shards = 1024;

    private static readonly IReadOnlyDictionary<int, string> Empty = new Dictionary<int, string>();

    private static string[] Nodes(int count) => Enumerable.Range(1, count).Select(i => $"node-{i}").ToArray();

    private static Dictionary<string, int> LoadOf(IReadOnlyDictionary<int, string> plan, IEnumerable<string> members)
    {
        var load = members.ToDictionary(m => m, _ => 0);
        foreach (var owner in plan.Values)
            load[owner]++;
        return load;
    }

    private static void AssertBalanced(IReadOnlyDictionary<int, string> plan, int shards, IReadOnlyCollection<string> members)
    {
        Assert.Equal(Enumerable.Range(0, shards), plan.Keys.Order());
        int floor = shards / members.Count, ceil = (shards + members.Count - 1) / members.Count;
        foreach (var (node, count) in LoadOf(plan, members))
            Assert.True(count == floor || count == ceil, $"{node} holds {count} shards; expected {floor} or {ceil}");
    }

    [Theory]
    [InlineData(3)]
    [InlineData(5)]
    [InlineData(10)]
    public void Should_give_every_node_floor_or_ceil_of_S_over_N_from_empty(int nodes)
    {
        var members = Nodes(nodes);
        var plan = new ShardPlacementPlanner(Shards).Plan(members, Empty);
        AssertBalanced(plan, Shards, members);
    }

    [Theory]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(5)]
    [InlineData(6)]
    [InlineData(7)]
    [InlineData(8)]
    [InlineData(9)]
    [InlineData(10)]
    public void Should_move_at_most_ceil_S_over_N_plus_1_shards_and_only_to_the_joining_node(int nodes)
    {
        var planner = new ShardPlacementPlanner(Shards);
        var before = planner.Plan(Nodes(nodes), Empty);
        var grown = Nodes(nodes + 1);
        var joiner = grown[^1];

        var after = planner.Plan(grown, before);

        AssertBalanced(after, Shards, grown);
        var moved = before.Where(b => after[b.Key] != b.Value).ToList();
        Assert.All(moved, m => Assert.Equal(joiner, after[m.Key]));
        var bound = (Shards + nodes) / (nodes + 1) + 1;
        Assert.True(moved.Count <= bound, $"{moved.Count} shards moved; at most {bound} allowed");
        Assert.True(moved.Count >= Shards / (nodes + 1), $"the joiner got only {moved.Count} shards");
    }

    [Theory]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(5)]
    [InlineData(10)]
    public void Should_move_only_the_leaving_nodes_shards(int nodes)
    {
        var planner = new ShardPlacementPlanner(Shards);
        var members = Nodes(nodes);
        var before = planner.Plan(members, Empty);

        foreach (var leaver in members)
        {
            var remaining = members.Where(m => m != leaver).ToArray();
            var after = planner.Plan(remaining, before);

            AssertBalanced(after, Shards, remaining);
            Assert.All(before, b =>
            {
                if (b.Value == leaver)
                    Assert.NotEqual(leaver, after[b.Key]);
                else
                    Assert.Equal(b.Value, after[b.Key]);
            });
        }
    }

    [Fact]
    public void Should_produce_the_same_plan_for_the_same_input_in_any_order()
    {
        var planner = new ShardPlacementPlanner(Shards);
        var members = Nodes(7);
        // An unbalanced starting point with gone owners and unallocated shards, so the planner has choices to make.
        var current = new Dictionary<int, string>();
        for (var shard = 0; shard < Shards; shard++)
            if (shard % 11 != 0)
                current[shard] = shard % 5 == 0 ? "gone-node" : members[shard * shard % 4];

        var reference = planner.Plan(members, current);
        var reversedCurrent = current.Reverse().ToDictionary(kv => kv.Key, kv => kv.Value);

        foreach (var order in new[] { members, members.Reverse().ToArray(), members.OrderBy(m => m.Length).ThenByDescending(m => m).ToArray() })
        {
            Assert.Equal(Sorted(reference), Sorted(planner.Plan(order, current)));
            Assert.Equal(Sorted(reference), Sorted(planner.Plan(order, reversedCurrent)));
            Assert.Equal(Sorted(reference), Sorted(new ShardPlacementPlanner(Shards).Plan(order, reversedCurrent)));
        }

        AssertBalanced(reference, Shards, members);

        static List<KeyValuePair<int, string>> Sorted(IReadOnlyDictionary<int, string> plan) => plan.OrderBy(p => p.Key).ToList();
    }

    [Fact]
    public void Should_leave_some_nodes_empty_when_there_are_fewer_shards_than_nodes()
    {
        var members = Nodes(5);
        var plan = new ShardPlacementPlanner(3).Plan(members, Empty);

        Assert.Equal([0, 1, 2], plan.Keys.Order());
        var load = LoadOf(plan, members);
        Assert.Equal(3, load.Values.Count(c => c == 1));
        Assert.Equal(2, load.Values.Count(c => c == 0));
    }

    [Fact]
    public void Should_keep_a_shard_on_its_node_when_a_node_joins_a_cluster_with_fewer_shards_than_nodes()
    {
        var planner = new ShardPlacementPlanner(3);
        var before = planner.Plan(Nodes(4), Empty);
        var after = planner.Plan(Nodes(5), before);
        Assert.Equal(before.OrderBy(p => p.Key), after.OrderBy(p => p.Key));
    }

    [Fact]
    public void Should_place_every_shard_on_a_single_node()
    {
        var plan = new ShardPlacementPlanner(Shards).Plan(["only"], Empty);
        Assert.Equal(Shards, plan.Count);
        Assert.All(plan.Values, owner => Assert.Equal("only", owner));
    }

    [Fact]
    public void Should_return_an_empty_plan_without_members()
    {
        Assert.Empty(new ShardPlacementPlanner(Shards).Plan([], new Dictionary<int, string> { [0] = "a" }));
    }

    [Fact]
    public void Should_treat_an_owner_that_is_not_a_member_as_gone()
    {
        var planner = new ShardPlacementPlanner(8);
        var current = new Dictionary<int, string>
        {
            [0] = "a", [1] = "a", [2] = "b", [3] = "b", [4] = "ghost", [5] = "ghost", [6] = "ghost", [7] = "ghost",
        };

        var plan = planner.Plan(["a", "b"], current);

        Assert.DoesNotContain("ghost", plan.Values);
        Assert.Equal(4, plan.Values.Count(v => v == "a"));
        Assert.Equal(4, plan.Values.Count(v => v == "b"));
        foreach (var shard in new[] { 0, 1, 2, 3 })
            Assert.Equal(current[shard], plan[shard]);
    }

    [Fact]
    public void Should_ignore_shard_ids_out_of_range()
    {
        var planner = new ShardPlacementPlanner(4);
        var current = new Dictionary<int, string> { [-1] = "a", [4] = "a", [99] = "b", [0] = "a", [1] = "b" };

        var plan = planner.Plan(["a", "b"], current);

        Assert.Equal([0, 1, 2, 3], plan.Keys.Order());
        Assert.Equal("a", plan[0]);
        Assert.Equal("b", plan[1]);
        Assert.Equal(2, plan.Values.Count(v => v == "a"));
        Assert.DoesNotContain(-1, planner.Moves(["a", "b"], current));
        Assert.DoesNotContain(99, planner.Moves(["a", "b"], current));
    }

    [Fact]
    public void Should_trim_an_overloaded_node_to_its_target()
    {
        var planner = new ShardPlacementPlanner(12);
        var current = Enumerable.Range(0, 12).ToDictionary(s => s, _ => "a");

        var plan = planner.Plan(["a", "b", "c"], current);

        Assert.All(LoadOf(plan, ["a", "b", "c"]).Values, c => Assert.Equal(4, c));
        Assert.Equal(8, planner.Moves(["a", "b", "c"], current).Count);
    }

    [Fact]
    public void Should_report_as_moves_exactly_the_allocated_shards_whose_owner_changes()
    {
        var planner = new ShardPlacementPlanner(Shards);
        var members = Nodes(4);
        var balanced = planner.Plan(members, Empty);

        Assert.Empty(planner.Moves(members, Empty));
        Assert.Empty(planner.Moves(members, balanced));

        var grown = Nodes(5);
        var moves = planner.Moves(grown, balanced);
        var after = planner.Plan(grown, balanced);
        var expected = balanced.Where(b => after[b.Key] != b.Value).Select(b => b.Key).Order().ToList();
        Assert.Equal(expected, moves);
        Assert.Equal(moves.Order(), moves);
        Assert.Equal(Shards / 5, moves.Count);

        var shrunk = members.Skip(1).ToArray();
        Assert.Equal(balanced.Where(b => b.Value == members[0]).Select(b => b.Key).Order(), planner.Moves(shrunk, balanced));

        // Shards missing from the current assignment are allocations, not moves.
        var partial = balanced.Where(b => b.Key % 2 == 0).ToDictionary(b => b.Key, b => b.Value);
        Assert.Empty(planner.Moves(members, partial));
    }

    [Fact]
    public void Should_reject_a_non_positive_shard_count()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new ShardPlacementPlanner(0));
    }
}
