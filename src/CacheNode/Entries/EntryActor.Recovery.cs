using Akka.Actor;
using Akka.Event;
using DistCacheAkka.CacheNode.Replication;
using DistCacheAkka.Messages;

namespace DistCacheAkka.CacheNode.Entries;

// Recovery and handoff. A starting EntryActor (first use, rebalance, failover or restart) asks every data node that
// is a member — itself included, reachable or not (issue 13, fix 1) — for its copy of the shard, merges the copies by version and starts a new epoch
// above every epoch it saw, so its writes supersede anything older. Commands wait in a bounded stash meanwhile
// (EntryActor.RecoveryStash.cs). It never serves from partial copies: a node that has not answered may hold the
// only copy of acknowledged writes, and serving without it would let the new epoch's anti-entropy overwrite them.
// So when recovery overruns distcache.recovery.timeout it fails the stashed commands (retriable Unavailable naming
// the shard and the silent nodes), asks the silent nodes again and keeps waiting; it stops waiting for a node only
// when the node leaves the membership (downed or removed), as its copy is then gone for good.
// On the region's handoff stop message the actor flushes replication, makes its backups equal to it and waits
// (bounded) for pending acknowledgements, then leaves its entries with this node's ReplicatorActor as one more copy
// for the next primary's recovery (which may start only after this node left: the backups are what counts).
internal sealed partial class EntryActor
{
    private static readonly string LocalReplicator = ActorNames.LocalPath(ActorSelectionTransport.ReplicatorName);
    private static readonly TimeSpan RecoveryCheckInterval = TimeSpan.FromMilliseconds(500);
    private readonly RecoveryProgress _recovery = new();
    private bool _handingOff;

    private void Recovering()
    {
        Receive<ShardCopy>(Handle);
        Receive<RecoveryCheckTick>(_ => ForgetDepartedCopyHolders());
        Receive<RecoveryTimeout>(_ => RecoveryOverdue());
        ReceiveAny(StashOrRefuse);
    }

    private void StartRecovery()
    {
        // Unreachable members are asked too and waited for: an unreachable backup may hold the only copy of
        // acknowledged writes, and finishing without it would let this epoch's anti-entropy overwrite that copy.
        var nodes = _node.View.Members.ToList();
        if (nodes.Count == 0)
        {
            FinishRecovery();
            return;
        }

        _recovery.Start(++_nextRequestId, nodes);
        var request = new RequestShardCopy(_shard, _recovery.RequestId, _self);
        foreach (var node in nodes)
            _node.Transport.Send(node, request, Self);

        var timeout = _node.Settings.RecoveryTimeout;
        Timers.StartSingleTimer(RecoveryTimeout.Instance, RecoveryTimeout.Instance, timeout);
        var check = TimeSpan.FromTicks(Math.Min(RecoveryCheckInterval.Ticks, timeout.Ticks));
        Timers.StartPeriodicTimer(RecoveryCheckTick.Instance, RecoveryCheckTick.Instance, check, check);
    }

    /// <summary>A node that left the membership will never answer, and its copy is gone: stop waiting for it.</summary>
    private void ForgetDepartedCopyHolders()
    {
        if (_recovery.ForgetDeparted(_node.View.Members))
            FinishRecovery();
    }

    private void RecoveryOverdue()
    {
        ForgetDepartedCopyHolders();
        if (_recovery.Pending.Count == 0)
            return;

        var silent = string.Join(", ", _recovery.Pending.Order(StringComparer.Ordinal));
        var timeout = _node.Settings.RecoveryTimeout;
        _log.Warning("Shard {0}: recovery has no complete copy from {1} after {2} ms; failing waiting requests and asking again",
            _shard, silent, timeout.TotalMilliseconds);
        FailStashedCommands(new CacheError(CacheErrorCode.Unavailable,
            $"Shard {_shard} could not finish recovery within {timeout.TotalMilliseconds:0} ms (distcache.recovery.timeout): " +
            $"no complete copy of the shard yet from {silent}. The request was not applied; retry it.",
            Timeout: timeout));
        var request = new RequestShardCopy(_shard, _recovery.RequestId, _self);
        foreach (var node in _recovery.Pending)
            _node.Transport.Send(node, request, Self); // same request id: chunks of either answer merge alike
        Timers.StartSingleTimer(RecoveryTimeout.Instance, RecoveryTimeout.Instance, timeout);
    }

    private void Handle(ShardCopy copy)
    {
        if (_recovery.Accept(copy, _store.Apply))
            FinishRecovery();
    }


    private void FinishRecovery()
    {
        Timers.Cancel(RecoveryTimeout.Instance);
        Timers.Cancel(RecoveryCheckTick.Instance);
        _stashedCommands = 0;
        _store.StartEpoch(Math.Max(_recovery.MaxEpochSeen, _store.MaxVersion().Epoch) + 1);
        // This node's backup copy of the shard (if it was a backup) is merged here now; keeping it would double-count.
        Context.ActorSelection(LocalReplicator).Tell(new DropBackup(_shard));
        _node.Metrics.Register(_shard, _store.Counters);
        var interval = _node.Settings.ExpirySweepInterval;
        Timers.StartPeriodicTimer(SweepTick.Instance, SweepTick.Instance, interval, interval);
        ReleaseStaleCopies();
        StartAntiEntropy(); // the first digest round restores the replication factor on backups that lack the shard
        if (_recovery.RecoveredEntries > 0)
            _log.Info("Shard {0} recovered {1} entries; epoch {2}", _shard, _recovery.RecoveredEntries, _store.Epoch);
        AnnounceTakeover();
        _recovery.Finish();
        StartStream();
        Become(Ready);
        Stash.UnstashAll();
    }

    /// <summary>
    /// A failover is a takeover whose previous primary is no longer a data node (a rebalance or a graceful leave
    /// hands off from a node that is still one while its copy is collected). Announced once, by the new primary,
    /// for every failed-over shard, empty ones included (KeysRecovered = 0): a subscriber of a lightly used cluster
    /// must still learn of every failover (issue 13, fix 7). The copy holders know the previous primary from its
    /// digests even when the shard had no entries. Not announced: a failover of a shard whose primary and backups
    /// all died (nobody knows who held it).
    /// A move from a node that is still a data node is reported to every data node (ShardMoved), so the sharding
    /// coordinator's node can count the keys a rebalance moved.
    /// </summary>
    private void AnnounceTakeover()
    {
        var members = _node.View.Members;
        var (gone, movedFrom) = _recovery.Takeover(_self, members);
        if (gone.Count > 0 && _node.Interest.Wants(CacheEventKind.FailoverOccurred))
            _node.Events.Tell(new FailoverOccurred(_shard, gone[0], _self, _recovery.RecoveredEntries, _node.Time.GetUtcNow()));
        if (movedFrom is not null)
        {
            var moved = new ShardMoved(_shard, movedFrom, _self, _store.Counters.Entries);
            foreach (var node in members)
                _node.Transport.Send(node, moved, Self);
        }
    }

    /// <summary>
    /// Nodes that held a copy but are not backups of this primary (a former primary that handed off, a former
    /// backup) drop it once a digest round finds every current backup equal to this primary (as former backups do):
    /// releasing at once would leave a single copy until the first round had filled a new backup.
    /// </summary>
    private void ReleaseStaleCopies()
    {
        _formerBackups.UnionWith(_recovery.StaleHolders(_self, Backups()));
    }

    /// <summary>
    /// HandingOff (issue 13, fix 4): the shard is moving. Before leaving its entries with this node's replicator, the
    /// primary makes sure its backups hold everything it has — a digest round with every backup, the differing
    /// buckets resent and acknowledged — because the next primary often starts after this node is gone (a graceful
    /// leave: the shard is re-allocated on removal or on its next request), and then the backups are all it finds.
    /// Pending writes finish meanwhile. Commands that arrive are refused with a retriable Unavailable (not applied),
    /// and reads still waiting for replicas when it stops get the same, so no caller is left to its own timeout.
    /// Bounded by distcache.operation-timeout.
    /// </summary>
    private void StartHandoff()
    {
        _handingOff = true;
        // The gateway stops handing commands over directly; the region buffers them until the shard runs elsewhere.
        Context.System.EventStream.Publish(new ShardLifecycle(_shard, Self, Running: false));
        Flush();
        Become(() =>
        {
            Receive<ReplicateAck>(Handle);
            Receive<WriteTimeout>(Handle);
            Receive<DigestMismatch>(HandoffRepair);
            Receive<HandoffTimeout>(_ => CompleteHandoff());
            Receive<ReplicaKeysRead>(Handle);
            Receive<ReadTimeout>(Handle);
            Receive<Get>(RefuseMoving);
            Receive<NearGet>(RefuseMoving);
            Receive<Set>(RefuseMoving);
            Receive<Remove>(RefuseMoving);
            Receive<GetMany>(RefuseMoving);
            Receive<SetMany>(RefuseMoving);
            Receive<Routed>(RefuseMoving);
            ReceiveAny(_ => { }); // ticks, queries and repeated stop messages: the actor is about to stop
        });
        Timers.Cancel(AntiEntropyTick.Instance);
        Timers.StartSingleTimer(HandoffTimeout.Instance, HandoffTimeout.Instance, _node.Settings.OperationTimeout);
        SendDigests();
        CompleteHandoffIfIdle();
    }

    private void HandoffRepair(DigestMismatch mismatch)
    {
        if (mismatch.RequestId == _digestRound && _digestsAwaited.Contains(mismatch.Replica) && mismatch.Buckets.Count > 0)
        {
            var id = ++_nextRequestId;
            _pendingWrites.Add(id, new PendingWrite([], new ReplyTo(ActorRefs.Nobody), null, null, ConsistencyLevel.Eventual, 1, 2) { Replied = true });
            Timers.StartSingleTimer(id, new WriteTimeout(id), _node.Settings.OperationTimeout);
            Repair(mismatch, id);
        }
        else
            NoteConverged(mismatch);

        CompleteHandoffIfIdle();
    }

    private void RefuseMoving(object command) =>
        Sender.Tell(Refusal(command, new CacheError(CacheErrorCode.Unavailable,
            $"Shard {_shard} is moving to another node. The request was not applied; retry it.")));

    private void CompleteHandoffIfIdle()
    {
        if (_handingOff && _pendingWrites.Count == 0 && _digestsAwaited.Count == 0)
            CompleteHandoff();
    }

    private void CompleteHandoff()
    {
        _handingOff = false;
        foreach (var read in _pendingReads.Drain())
            read.ReplyTo.Tell(read.Failure(new CacheError(CacheErrorCode.Unavailable,
                $"Shard {_shard} moved to another node before the replicas answered. Nothing was read; retry it.")));
        Context.ActorSelection(LocalReplicator).Tell(new AdoptShard(_shard, _store.ExportAll().ToArray()));
        Context.Stop(Self);
    }

    private sealed class RecoveryTimeout
    {
        public static readonly RecoveryTimeout Instance = new();
    }

    private sealed class RecoveryCheckTick
    {
        public static readonly RecoveryCheckTick Instance = new();
    }

    private sealed class HandoffTimeout
    {
        public static readonly HandoffTimeout Instance = new();
    }
}
