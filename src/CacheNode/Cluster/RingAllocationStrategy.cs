using System.Collections.Immutable;
using Akka.Actor;
using Akka.Cluster.Sharding;
using DistCacheAkka.Messages.Hashing;

namespace DistCacheAkka.CacheNode.Cluster;

/// <summary>
/// Shard allocation by the <see cref="ShardPlacementPlanner"/>: a new shard goes where the plan puts it (the first
/// below-target node in its ring preference order), so every node holds floor(S/N) or ceil(S/N) shards.
/// Used only by the coordinator singleton (on the oldest node).
/// Rebalance is deliberately empty in this version: moving a shard re-creates its EntryActor empty, and until
/// recovery from replicas and replicating handoff exist, that would drop acknowledged entries. With rebalance off,
/// a joining node receives only shards allocated after it joined.
/// </summary>
internal sealed class RingAllocationStrategy(int shards, int virtualNodes) : IActorSystemDependentAllocationStrategy
{
    private readonly ShardPlacementPlanner _planner = new(shards, virtualNodes);
    private Address _selfAddress = Address.AllSystems;

    // The last plan and the members it was made for. The coordinator allocates shards one by one; while every
    // allocated shard sits where this plan put it, the plan still holds and is reused instead of recomputed.
    private IReadOnlyDictionary<int, string>? _plan;
    private HashSet<string> _planMembers = [];

    public void Start(ActorSystem system) => _selfAddress = Akka.Cluster.Cluster.Get(system).SelfAddress;

    public Task<IActorRef> AllocateShard(
        IActorRef requester, string shardId, IImmutableDictionary<IActorRef, IImmutableList<string>> currentShardAllocations)
    {
        var byName = currentShardAllocations.Keys.ToDictionary(NameOf, r => r, StringComparer.Ordinal);
        if (byName.Count == 0 || !int.TryParse(shardId, out var shard))
            return Task.FromResult(requester);

        var current = CurrentAssignment(currentShardAllocations);
        var plan = PlanFor(byName.Keys, current);
        return Task.FromResult(plan.TryGetValue(shard, out var target) && byName.TryGetValue(target, out var region)
            ? region
            : requester);
    }

    public Task<IImmutableSet<string>> Rebalance(
        IImmutableDictionary<IActorRef, IImmutableList<string>> currentShardAllocations, IImmutableSet<string> rebalanceInProgress) =>
        Task.FromResult<IImmutableSet<string>>(ImmutableHashSet<string>.Empty);

    private IReadOnlyDictionary<int, string> PlanFor(IReadOnlyCollection<string> members, Dictionary<int, string> current)
    {
        var stillValid = _plan is not null
            && _planMembers.SetEquals(members)
            && current.All(c => _plan.TryGetValue(c.Key, out var planned) && planned == c.Value);
        if (!stillValid)
        {
            _plan = _planner.Plan(members, current);
            _planMembers = members.ToHashSet(StringComparer.Ordinal);
        }

        return _plan!;
    }

    /// <summary>A region's node name: its address, with the local region (local scope) mapped to this node's address.</summary>
    private string NameOf(IActorRef region) =>
        (region.Path.Address.HasLocalScope ? _selfAddress : region.Path.Address).ToString();

    private Dictionary<int, string> CurrentAssignment(IImmutableDictionary<IActorRef, IImmutableList<string>> allocations)
    {
        var current = new Dictionary<int, string>();
        foreach (var (region, shardIds) in allocations)
        {
            var name = NameOf(region);
            foreach (var id in shardIds)
                if (int.TryParse(id, out var shard))
                    current[shard] = name;
        }

        return current;
    }
}
