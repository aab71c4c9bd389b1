using Akka.Actor;
using Akka.Cluster;
using Akka.Cluster.SBR;
using Akka.Event;
using static Akka.Cluster.ClusterEvent;

namespace DistCacheAkka.CacheNode.Cluster;

/// <summary>
/// The node's split brain resolver: Akka's keep-majority, with the decision of <see cref="DowningDecision"/> (stale
/// verdicts of a frozen or cut-off observer are set aside, so a healthy node is not downed with it). It keeps Akka's
/// timing: the leader decides once the set of unreachable members has not changed for <c>stable-after</c>; every node
/// downs everybody when reachability has kept changing for <c>stable-after + down-all-when-unstable</c> since the first
/// change. Settings are Akka's own, under <c>akka.cluster.split-brain-resolver</c>.
/// </summary>
internal sealed class DowningActor : ReceiveActor, IWithTimers
{
    private sealed class DowningTick
    {
        public static readonly DowningTick Instance = new();
    }

    private readonly Akka.Cluster.Cluster _cluster = Akka.Cluster.Cluster.Get(Context.System);
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly TimeSpan _stableAfter;
    private readonly TimeSpan _downAllWhenUnstable;
    private readonly string? _role;
    private readonly Dictionary<UniqueAddress, Member> _members = new();
    private readonly HashSet<UniqueAddress> _unreachable = new();
    private IReadOnlyList<(UniqueAddress Observer, UniqueAddress Subject)>? _verdicts;
    private bool _leader;
    private bool _selfUp;
    private DateTime _stableDeadline;
    private DateTime? _firstChange;
    private bool _warnedUnreadable;

    public DowningActor(SplitBrainResolverSettings settings)
    {
        _stableAfter = settings.DowningStableAfter;
        _downAllWhenUnstable = settings.DownAllWhenUnstable;
        _role = string.IsNullOrEmpty(settings.KeepMajorityRole) ? null : settings.KeepMajorityRole;
        ResetStableDeadline();

        Receive<MemberJoined>(e => Track(e.Member, resetStable: false));
        Receive<MemberWeaklyUp>(e => Track(e.Member, resetStable: false));
        Receive<MemberUp>(e => Track(e.Member, resetStable: true));
        Receive<MemberLeft>(e => Track(e.Member, resetStable: false));
        Receive<MemberExited>(e => Track(e.Member, resetStable: true));
        Receive<MemberDowned>(e => Track(e.Member, resetStable: false));
        Receive<MemberRemoved>(Removed);
        Receive<UnreachableMember>(e => ReachabilityOf(e.Member, reachable: false));
        Receive<ReachableMember>(e => ReachabilityOf(e.Member, reachable: true));
        Receive<LeaderChanged>(e => _leader = e.Leader is { } leader && leader.Equals(_cluster.SelfAddress));
        Receive<DowningTick>(_ => OnTick());
        ReceiveAny(e =>
        {
            if (!ReachabilityRecords.IsReachabilityChanged(e))
                return;
            if (ReachabilityRecords.TryRead(e, out var verdicts))
            {
                _verdicts = verdicts;
            }
            else
            {
                _verdicts = null;
                if (!_warnedUnreadable)
                    _log.Warning("Cannot read Akka's reachability table (has Akka.Cluster changed?): downing falls back to plain keep-majority");
                _warnedUnreadable = true;
            }
        });
    }

    public ITimerScheduler Timers { get; set; } = null!;

    public static Props Props(SplitBrainResolverSettings settings) => Akka.Actor.Props.Create(() => new DowningActor(settings));

    protected override void PreStart()
    {
        _cluster.Subscribe(Self, ClusterEvent.SubscriptionInitialStateMode.InitialStateAsEvents, typeof(IClusterDomainEvent));
        Timers.StartPeriodicTimer(DowningTick.Instance, DowningTick.Instance, TimeSpan.FromSeconds(1));
    }

    protected override void PostStop() => _cluster.Unsubscribe(Self);

    private void Track(Member member, bool resetStable)
    {
        _members[member.UniqueAddress] = member;
        if (member.UniqueAddress.Equals(_cluster.SelfUniqueAddress) && member.Status is MemberStatus.Up or MemberStatus.WeaklyUp or MemberStatus.Leaving)
            _selfUp = true;
        if (resetStable)
            ResetStableDeadline();
        ForgetInstabilityIfAllUnreachableGone();
    }

    private void Removed(MemberRemoved removed)
    {
        if (removed.Member.UniqueAddress.Equals(_cluster.SelfUniqueAddress))
        {
            Context.Stop(Self);
            return;
        }

        _members.Remove(removed.Member.UniqueAddress);
        _unreachable.Remove(removed.Member.UniqueAddress);
        ForgetInstabilityIfAllUnreachableGone();
    }

    private void ReachabilityOf(Member member, bool reachable)
    {
        if (member.UniqueAddress.Equals(_cluster.SelfUniqueAddress))
            return;
        _members[member.UniqueAddress] = member;
        if (reachable)
            _unreachable.Remove(member.UniqueAddress);
        else
            _unreachable.Add(member.UniqueAddress);
        _firstChange ??= DateTime.UtcNow;
        ResetStableDeadline();
        ForgetInstabilityIfAllUnreachableGone();
    }

    private void OnTick()
    {
        if (_firstChange is { } first && _downAllWhenUnstable > TimeSpan.Zero && DateTime.UtcNow - first > _stableAfter + _downAllWhenUnstable)
        {
            _log.Warning("Reachability kept changing for {0:0.#} s: downing every member, as down-all-when-unstable asks",
                (DateTime.UtcNow - first).TotalSeconds);
            Act(new DowningOutcome(DowningKind.DownAll, Downable().Select(m => m.UniqueAddress.ToString()).ToHashSet(),
                new HashSet<string>(), new HashSet<string>()));
            return;
        }

        if (!_leader || !_selfUp || _unreachable.Count == 0 || DateTime.UtcNow < _stableDeadline)
            return;

        var self = _cluster.SelfUniqueAddress;
        var ordered = _members.Values.OrderBy(m => m.Address, Member.AddressOrdering).ThenBy(m => m.UniqueAddress.Uid)
            .Select(m => new DowningMember(m.UniqueAddress.ToString(), PhaseOf(m), _role is null || m.HasRole(_role)))
            .ToList();
        // Without Akka's table, every unreachable member counts as observed by this node: plain keep-majority.
        var verdicts = (_verdicts ?? _unreachable.Select(u => (self, u)).ToList())
            .Select(v => new UnreachableObservation(v.Observer.ToString(), v.Subject.ToString()));
        var outcome = DowningDecision.Decide(self.ToString(), ordered, verdicts);
        if (outcome.Down.Count > 0)
            Act(outcome);
    }

    private void Act(DowningOutcome outcome)
    {
        var self = _cluster.SelfUniqueAddress;
        var byName = _members.Values.ToDictionary(m => m.UniqueAddress.ToString(), m => m.UniqueAddress);
        _log.Warning("Downing decision {0}: downing [{1}]; unreachable [{2}] of {3} members; stale verdicts set aside from [{4}]; indirectly connected [{5}]; verdicts [{6}]",
            [outcome.Kind, string.Join(", ", outcome.Down), string.Join(", ", _unreachable), _members.Count,
            string.Join(", ", outcome.Discounted), string.Join(", ", outcome.IndirectlyConnected),
            string.Join(", ", (_verdicts ?? []).Select(v => $"{v.Observer.Address} -> {v.Subject.Address}"))]);
        foreach (var node in outcome.Down)
        {
            if (byName.TryGetValue(node, out var address) && !address.Equals(self))
                _cluster.Down(address.Address);
        }

        // Last: downing itself may stop this node.
        if (outcome.Down.Contains(self.ToString()))
            _cluster.Down(self.Address);
        _firstChange = null;
        ResetStableDeadline();
    }

    private IEnumerable<Member> Downable() => _members.Values.Where(m => PhaseOf(m) != DowningPhase.Gone);

    private static DowningPhase PhaseOf(Member member) => member.Status switch
    {
        MemberStatus.Joining or MemberStatus.WeaklyUp => DowningPhase.Joining,
        MemberStatus.Up => DowningPhase.Up,
        MemberStatus.Leaving => DowningPhase.Leaving,
        _ => DowningPhase.Gone,
    };

    private void ForgetInstabilityIfAllUnreachableGone()
    {
        if (_unreachable.All(u => !_members.TryGetValue(u, out var m) || PhaseOf(m) == DowningPhase.Gone))
            _firstChange = null;
    }

    private void ResetStableDeadline() => _stableDeadline = DateTime.UtcNow + _stableAfter;
}
