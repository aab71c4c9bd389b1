namespace DistCacheAkka.Nemesis;

/// <summary>The faults of a cycle, in this order; a run may leave some out to find which one breaks a guarantee.</summary>
[Flags]
public enum NemesisFaults
{
    /// <summary>SIGSTOP for <see cref="NemesisOptions.ShortPause"/>, below failure detection + stable-after.</summary>
    ShortPause = 1,

    /// <summary>SIGSTOP until the node is downed and removed, SIGCONT (it must stop), then a replacement.</summary>
    LongPause = 2,

    /// <summary>SIGKILL of the oldest data node (the sharding coordinator's), then a replacement.</summary>
    Kill = 4,

    /// <summary>SIGTERM (graceful leave), replaced if <see cref="NemesisOptions.ReplaceAfterLeave"/>.</summary>
    Leave = 8,

    All = ShortPause | LongPause | Kill | Leave,
}

/// <summary>How long and how hard a nemesis run pushes the cluster. Defaults are the bench's 10-minute run.</summary>
public sealed record NemesisOptions
{
    /// <summary>The node settings of every CacheNode process: failure detection and downing fast enough for a run.</summary>
    public const string DefaultNodeHocon = """
        akka.loglevel = WARNING
        akka.cluster.split-brain-resolver.stable-after = 3s
        akka.cluster.failure-detector.acceptable-heartbeat-pause = 2s
        distcache.operation-timeout = 2s
        distcache.node.warm-up-after-stable = 1s
        distcache.node.warm-up-min-data-nodes = 3
        """;

    /// <summary>Fault cycles start until this much time has passed; at least one full cycle always runs.</summary>
    public TimeSpan Duration { get; init; } = TimeSpan.FromMinutes(10);

    public NemesisFaults Faults { get; init; } = NemesisFaults.All;

    /// <summary>Register keys; even-numbered keys are written and read at Strong, odd-numbered ones at Quorum.</summary>
    public int Keys { get; init; } = 6;

    /// <summary>Client processes (each its own ActorSystem and DistCacheClient).</summary>
    public int Clients { get; init; } = 2;

    /// <summary>Concurrent workers per client, each with at most one operation in flight.</summary>
    public int WorkersPerClient { get; init; } = 2;

    /// <summary>A pause below failure detection: the node is never marked unreachable for long, never downed.</summary>
    public TimeSpan ShortPause { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>Healthy time between faults, so each fault starts from a settled cluster.</summary>
    public TimeSpan Quiet { get; init; } = TimeSpan.FromSeconds(3);

    /// <summary>Whether a node that left gracefully is replaced (the short test run skips it to stay short).</summary>
    public bool ReplaceAfterLeave { get; init; } = true;

    /// <summary>The checker's search budget per key; beyond it the key is Unknown.</summary>
    public long CheckerStepsPerKey { get; init; } = 50_000_000;

    public int RandomSeed { get; init; } = Environment.TickCount;

    public string NodeHocon { get; init; } = DefaultNodeHocon;

    /// <summary>When set, every node's output is written there as node-PORT.log at the end of the run (a diagnostic).</summary>
    public string? LogDirectory { get; init; }

    /// <summary>Progress lines (faults with their times); the test passes its output helper, the bench the console.</summary>
    public Action<string> Log { get; init; } = _ => { };
}
