using System.Collections.Immutable;
using Akka.Actor;
using Akka.Cluster;
using Akka.Cluster.Sharding;
using DistCacheAkka.Messages;
using DistCacheAkka.Messages.Hashing;

namespace DistCacheAkka.CacheNode.Cluster;

/// <summary>
/// Shard allocation and rebalancing by the <see cref="ShardPlacementPlanner"/>: a new shard goes where the plan puts
/// it (the first below-target node in its ring preference order), so every node holds floor(S/N) or ceil(S/N)
/// shards; a rebalance moves only the shards the plan moves (after a join, about S/(N+1), all to the new node), at
/// most <c>maxPerRound</c> per round, and never while a member is unreachable (a node about to be downed would
/// otherwise be planned around twice). Moved shards keep their entries: the old primary hands them to its
/// ReplicatorActor and the new primary recovers them. Used only by the coordinator singleton (oldest node), which
/// also publishes RebalancingProgress: a shard counts as moved once it left its old node and, if this strategy
/// scheduled its move, once its new primary reported (<see cref="RebalanceTally"/>) the keys it recovered — so 100%
/// means the data arrived, and KeysMoved is the sum of those reports.
/// </summary>
internal sealed class RingAllocationStrategy(int shards, int virtualNodes, int maxPerRound, RebalanceTally tally)
    : IActorSystemDependentAllocationStrategy
{
    // How many rebalance ticks (rebalance-interval apart) a finished session waits for its last moves' reports; a
    // report lost with a crashed node must not keep the progress below 100% forever.
    private const int MaxTicksAwaitingReports = 10;

    private readonly ShardPlacementPlanner _planner = new(shards, virtualNodes);
    private ActorSystem? _system;
    private Address _selfAddress = Address.AllSystems;

    // The last plan and the members it was made for. The coordinator allocates shards one by one; while every
    // allocated shard sits where this plan put it, the plan still holds and is reused instead of recomputed.
    private IReadOnlyDictionary<int, string>? _plan;
    private HashSet<string> _planMembers = [];

    // The rebalance under way: the members it is for, how many shards were misplaced when it started, and the
    // shards this session scheduled (with the tally's sequence at that time, so only later reports count).
    // A new member set starts a new session, so the totals describe one membership change each.
    private HashSet<string> _sessionMembers = [];
    private int _sessionTotal;
    private readonly Dictionary<int, long> _scheduled = new();
    private int _ticksAwaitingReports;
    private (int Moved, long Keys)? _lastPublished;
    private IReadOnlyList<string> _lastRound = [];

    public void Start(ActorSystem system)
    {
        _system = system;
        _selfAddress = Akka.Cluster.Cluster.Get(system).SelfAddress;
    }

    public Task<IActorRef> AllocateShard(
        IActorRef requester, string shardId, IImmutableDictionary<IActorRef, IImmutableList<string>> currentShardAllocations)
    {
        var byName = currentShardAllocations.Keys.ToDictionary(NameOf, r => r, StringComparer.Ordinal);
        if (byName.Count == 0 || !int.TryParse(shardId, out var shard))
            return Task.FromResult(requester);

        var plan = PlanFor(byName.Keys, CurrentAssignment(currentShardAllocations));
        return Task.FromResult(plan.TryGetValue(shard, out var target) && byName.TryGetValue(target, out var region)
            ? region
            : requester);
    }

    public Task<IImmutableSet<string>> Rebalance(
        IImmutableDictionary<IActorRef, IImmutableList<string>> currentShardAllocations, IImmutableSet<string> rebalanceInProgress)
    {
        // The previous round's shards are handed off by now (or still in progress, then retried next round): start
        // them at their new home, so they recover their entries now rather than on their first request.
        if (_lastRound.Count > 0 && rebalanceInProgress.Count == 0)
        {
            _system?.ActorSelection(ActorNames.LocalPath(ActorNames.Warmup)).Tell(new StartShards(_lastRound));
            _lastRound = [];
        }

        if (rebalanceInProgress.Count > 0 || _system is null || !Akka.Cluster.Cluster.Get(_system).State.Unreachable.IsEmpty
            || !AllRegionsUp(currentShardAllocations))
            return Task.FromResult<IImmutableSet<string>>(ImmutableHashSet<string>.Empty);

        var members = currentShardAllocations.Keys.Select(NameOf).ToList();
        var moves = members.Count == 0 ? [] : _planner.Moves(members, CurrentAssignment(currentShardAllocations));
        var round = moves.Take(maxPerRound).ToList();
        ReportProgress(members, moves, round);
        _lastRound = round.Select(s => s.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToList();
        return Task.FromResult<IImmutableSet<string>>(_lastRound.ToImmutableHashSet());
    }

    private void ReportProgress(IReadOnlyCollection<string> members, IReadOnlyCollection<int> moves, IReadOnlyList<int> round)
    {
        var misplaced = moves.Count;
        if (!_sessionMembers.SetEquals(members))
        {
            _sessionMembers = members.ToHashSet(StringComparer.Ordinal);
            StartSession(misplaced);
        }
        else if (misplaced > 0 && _sessionTotal == 0)
        {
            StartSession(misplaced);
        }

        if (_sessionTotal == 0)
            return;
        var sequence = tally.Sequence;
        foreach (var shard in round)
            _scheduled[shard] = sequence;

        long keys = 0;
        var unreported = 0;
        var stillMisplaced = moves.ToHashSet();
        foreach (var (shard, since) in _scheduled)
        {
            if (tally.TryGetSince(shard, since, out var moved))
                keys += moved;
            else if (!stillMisplaced.Contains(shard))
                unreported++; // left its old node, but its new primary has not reported its keys yet: not moved yet
        }

        var total = Math.Max(_sessionTotal, misplaced);
        var finished = misplaced == 0 && (unreported == 0 || ++_ticksAwaitingReports >= MaxTicksAwaitingReports);
        var done = finished ? total : Math.Max(0, total - misplaced - unreported);
        if (_lastPublished != (done, keys))
        {
            _lastPublished = (done, keys);
            Publish(new RebalancingProgress(done, total, keys, DateTimeOffset.UtcNow));
        }

        if (finished)
            _sessionTotal = 0;
    }

    private void StartSession(int misplaced)
    {
        _sessionTotal = misplaced;
        _scheduled.Clear();
        _ticksAwaitingReports = 0;
        _lastPublished = null;
    }

    private void Publish(DistributedCacheEvent evt) => _system?.ActorSelection(ActorNames.LocalPath(ActorNames.Events)).Tell(evt);

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
    /// <summary>
    /// No rebalance while some region of the allocation is not on an Up member: the coordinator still lists a removed
    /// node's region until it has processed its termination (slow while its state writes time out), and a rebalance of
    /// such a shard waits for a hand-off that never comes (handoff-timeout), keeping the shard without a primary — in
    /// the nemesis for 50 s, until a second failure took its last copy (issue 13). The removed node's shards are
    /// re-allocated by the warm-up instead, once the coordinator has dropped its region.
    /// </summary>
    private bool AllRegionsUp(IImmutableDictionary<IActorRef, IImmutableList<string>> allocations)
    {
        var up = Akka.Cluster.Cluster.Get(_system!).State.Members
            .Where(m => m.Status == MemberStatus.Up)
            .Select(m => m.Address.ToString())
            .ToHashSet(StringComparer.Ordinal);
        return allocations.Keys.All(region => up.Contains(NameOf(region)));
    }

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
