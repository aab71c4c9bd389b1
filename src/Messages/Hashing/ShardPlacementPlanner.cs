namespace DistCacheAkka.Messages.Hashing;

/// <summary>
/// Pure shard → node placement: consistent hashing with bounded loads (Mirrokni, Thorup, Zadimoghaddam 2018)
/// taken to its limit. Every node's target is floor(S/N) or ceil(S/N) shards. A shard stays where it is unless
/// its node is gone or above target; homeless and excess shards go to the first below-target node in the shard's
/// ring preference order. So a join moves only the shards the new node needs, a leave only the leaver's shards.
/// Deterministic: the same members and assignment give the same plan on every node.
/// </summary>
public sealed class ShardPlacementPlanner
{
    private readonly int _shards;
    private readonly int _virtualNodes;

    public ShardPlacementPlanner(int shards, int virtualNodes = 150)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(shards);
        _shards = shards;
        _virtualNodes = virtualNodes;
    }

    /// <summary>
    /// The target owner of every shard. <paramref name="current"/> maps shard → node name (shards not in it are
    /// unallocated); owners that are not in <paramref name="members"/> count as gone.
    /// </summary>
    public IReadOnlyDictionary<int, string> Plan(IReadOnlyCollection<string> members, IReadOnlyDictionary<int, string> current)
    {
        if (members.Count == 0)
            return new Dictionary<int, string>();

        var ring = new HashRing<string>(members, _virtualNodes);
        var nodes = ring.Nodes;
        var held = nodes.ToDictionary(n => n, _ => new List<int>(), StringComparer.Ordinal);
        foreach (var (shard, owner) in current)
            if (shard >= 0 && shard < _shards && held.TryGetValue(owner, out var list))
                list.Add(shard);

        var capacity = Capacities(nodes, held);
        var plan = new Dictionary<int, string>(_shards);
        var homeless = new List<int>();

        foreach (var node in nodes)
        {
            // Keep the shards that prefer this node most (then by id), up to capacity; the rest are excess.
            var keep = held[node]
                .OrderBy(s => RankOf(ring, s, node))
                .ThenBy(s => s)
                .ToList();
            for (var i = 0; i < keep.Count; i++)
            {
                if (i < capacity[node])
                    plan[keep[i]] = node;
                else
                    homeless.Add(keep[i]);
            }
        }

        var excess = homeless.ToHashSet();
        for (var shard = 0; shard < _shards; shard++)
            if (!plan.ContainsKey(shard) && !excess.Contains(shard))
                homeless.Add(shard);

        var load = nodes.ToDictionary(n => n, _ => 0, StringComparer.Ordinal);
        foreach (var owner in plan.Values)
            load[owner]++;
        foreach (var shard in homeless.OrderBy(s => s))
        {
            var target = ring.PreferenceOrder(HashRing<string>.ShardPosition(shard)).First(n => load[n] < capacity[n]);
            plan[shard] = target;
            load[target]++;
        }

        return plan;
    }

    /// <summary>The shards whose owner differs between <paramref name="current"/> and the plan.</summary>
    public IReadOnlyList<int> Moves(IReadOnlyCollection<string> members, IReadOnlyDictionary<int, string> current)
    {
        var plan = Plan(members, current);
        return current
            .Where(c => plan.TryGetValue(c.Key, out var target) && target != c.Value)
            .Select(c => c.Key)
            .OrderBy(s => s)
            .ToList();
    }

    /// <summary>
    /// floor(S/N) for every node, plus one for S mod N of them: those already holding the most shards (then by
    /// name), which keeps movement minimal.
    /// </summary>
    private Dictionary<string, int> Capacities(IReadOnlyList<string> nodes, Dictionary<string, List<int>> held)
    {
        var floor = _shards / nodes.Count;
        var extra = _shards % nodes.Count;
        var ceilNodes = nodes
            .OrderByDescending(n => held[n].Count)
            .ThenBy(n => n, StringComparer.Ordinal)
            .Take(extra)
            .ToHashSet(StringComparer.Ordinal);
        return nodes.ToDictionary(n => n, n => floor + (ceilNodes.Contains(n) ? 1 : 0), StringComparer.Ordinal);
    }

    private static int RankOf(HashRing<string> ring, int shard, string node)
    {
        var order = ring.PreferenceOrder(HashRing<string>.ShardPosition(shard));
        for (var i = 0; i < order.Count; i++)
            if (order[i] == node)
                return i;
        return int.MaxValue;
    }
}
