using Akka.Actor;
using DistCacheAkka.CacheNode.Entries;
using DistCacheAkka.CacheNode.Memory;
using DistCacheAkka.ClientProxy;
using DistCacheAkka.Messages;

namespace DistCacheAkka.CacheNode.Management;

/// <summary>
/// What the management endpoint needs from the running node, filled in as the node starts: the ActorSystem and the
/// node context first, then the shard region and an in-node client (the same ClientProxy path applications use).
/// The endpoint binds before the ActorSystem starts, so every field may still be null; requests then get 503.
/// </summary>
internal sealed class NodeHandle
{
    private volatile RebalancingProgress? _lastRebalance;
    private volatile bool _warmedUp;

    public ActorSystem? System { get; set; }

    public NodeContext? Context { get; set; }

    public IActorRef? Region { get; set; }

    /// <summary>The node's data plane while it listens, else null.</summary>
    public DataPlane.DataPlaneListener? DataPlane { get; set; }

    public IDistCacheClient? Client { get; set; }

    /// <summary>The GC pause share of the last seconds, and the share above which the node is not ready.</summary>
    public GcPauseMonitor? Gc { get; set; }

    public double GcThrashingPauseFraction { get; set; } = 1.0;

    /// <summary>True once the warm-up has started every shard (set by the warm-up actor).</summary>
    public bool WarmedUp => _warmedUp;

    public void MarkWarmedUp() => _warmedUp = true;

    /// <summary>The latest RebalancingProgress event seen since this node started, if any.</summary>
    public RebalancingProgress? LastRebalance => _lastRebalance;

    public void Observe(RebalancingProgress progress) => _lastRebalance = progress;

    public bool IsStarted => System is not null && Context is not null && Region is not null && Client is not null;
}
