using System.Globalization;
using DistCacheAkka.Messages;

namespace DistCacheAkka.LoadTest;

/// <summary>What one LoadTest invocation measures, parsed from the command line.</summary>
internal sealed record LoadOptions
{
    public const string Usage = """
        Usage:
          LoadTest run   --target distcache|redis|garnet|redis-cluster|akka-echo [endpoint] [workload options]
          LoadTest suite [--seed H:P] [--redis H:P] [--garnet H:P] [--redis-cluster H:P,...] [--echo H:P] [workload options]
                                                                                       every workload, one table
          LoadTest echo-server --port P                                                the raw Akka baseline's echo node
          LoadTest coherence --seed H:P [--operations N]   near-cache invalidation lag seen by another client (N rounds [200])
          LoadTest hybrid-coherence --seed H:P [--operations N]
                                                    HybridCache: app A's set/remove/tag removal -> app B's L1 (N rounds [200])

        Endpoints:
          --seed H:P        a DistCacheAkka seed node (the client joins through it)
          --redis H:P       a Redis server (standalone: the baseline of the ratios)
          --garnet H:P      a Garnet server
          --redis-cluster L a Redis Cluster: comma-separated H:P of its nodes (masters and replicas)
          --echo H:P        an echo-server started by this program

        Workload options (defaults in brackets):
          --keys N          distinct keys, preloaded before measuring [100000]
          --value-size N    value bytes [100]
          --read-percent N  reads in the mix, the rest are writes [90]
          --concurrency L   comma-separated numbers of concurrent clients (run mode) [1,64]
          --consistency C   Eventual | Quorum | Strong, for DistCacheAkka reads and writes (run mode) [Eventual]
          --duration D      measured seconds per workload [10]
          --warmup D        unmeasured seconds before each workload [3]
          --operations N    stop after N measured operations instead (0 = use --duration) [0]
          --pids T=P,P     server process ids of target T (distcache, redis, garnet, redis-cluster, akka-echo), for CPU time per operation
          --coalescing M    DistCacheAkka client request coalescing: on, off, or both (suite: a row for each) [on]
          --data-plane M    DistCacheAkka client: on sends requests over the nodes' data plane, off over Akka remoting,
                            both (suite: also a coalesced row over remoting, "no data plane") [on]
          --tls-cert F      DistCacheAkka client certificate (.pfx): mutual TLS to a cluster with distcache.tls on
          --tls-ca F        the CA the nodes' certificates chain to (with --tls-cert)
          --near-cache M    on: also a DistCacheAkka row whose client has a near cache (MaxEntries = --keys);
                            run mode: the client has one. off: no near cache [off]
        """;

    public string Mode { get; init; } = "run";

    public string? Target { get; init; }

    public string? Seed { get; init; }

    public string? Redis { get; init; }

    public string? Garnet { get; init; }

    public string? RedisCluster { get; init; }

    public string? Echo { get; init; }

    public int EchoPort { get; init; }

    public int Keys { get; init; } = 100_000;

    public int ValueSize { get; init; } = 100;

    public int ReadPercent { get; init; } = 90;

    public IReadOnlyList<int> Concurrency { get; init; } = [1, 64];

    public ConsistencyLevel Consistency { get; init; } = ConsistencyLevel.Eventual;

    public TimeSpan Duration { get; init; } = TimeSpan.FromSeconds(10);

    public TimeSpan Warmup { get; init; } = TimeSpan.FromSeconds(3);

    public long Operations { get; init; }

    public string Coalescing { get; init; } = "on";

    public string NearCache { get; init; } = "off";

    public bool DataPlane { get; init; } = true;

    /// <summary>Suite: also a coalesced DistCacheAkka row over Akka remoting (--data-plane both).</summary>
    public bool DataPlaneBoth { get; init; }

    public string? TlsCertificate { get; init; }

    public string? TlsCa { get; init; }

    public IReadOnlyDictionary<string, int[]> Pids { get; init; } = new Dictionary<string, int[]>();

    /// <summary>Parses <paramref name="args"/>; a problem is thrown as an <see cref="ArgumentException"/> naming the option.</summary>
    public static LoadOptions Parse(string[] args)
    {
        var options = new LoadOptions();
        var i = 0;
        if (args.Length > 0 && !args[0].StartsWith("--", StringComparison.Ordinal))
            options = options with { Mode = args[i++] };
        if (options.Mode is not ("run" or "suite" or "echo-server" or "coherence" or "hybrid-coherence"))
            throw new ArgumentException($"Unknown mode '{options.Mode}'; it must be run, suite, echo-server, coherence or hybrid-coherence.");

        for (; i < args.Length; i++)
        {
            var flag = args[i];
            if (i + 1 >= args.Length)
                throw new ArgumentException($"Option {flag} needs a value.");
            var value = args[++i];
            options = flag switch
            {
                "--target" => options with { Target = value is "distcache" or "redis" or "garnet" or "redis-cluster" or "akka-echo" ? value : throw Bad(flag, value, "distcache, redis, garnet, redis-cluster or akka-echo") },
                "--seed" => options with { Seed = value },
                "--redis" => options with { Redis = value },
                "--garnet" => options with { Garnet = value },
                "--redis-cluster" => options with { RedisCluster = value },
                "--echo" => options with { Echo = value },
                "--port" => options with { EchoPort = Int(flag, value, 1, 65535) },
                "--keys" => options with { Keys = Int(flag, value, 1, 10_000_000) },
                "--value-size" => options with { ValueSize = Int(flag, value, 0, 1024 * 1024) },
                "--read-percent" => options with { ReadPercent = Int(flag, value, 0, 100) },
                "--concurrency" => options with { Concurrency = value.Split(',').Select(v => Int(flag, v, 1, 4096)).ToArray() },
                "--consistency" => options with { Consistency = Enum.TryParse<ConsistencyLevel>(value, true, out var c) ? c : throw Bad(flag, value, "Eventual, Quorum or Strong") },
                "--duration" => options with { Duration = TimeSpan.FromSeconds(Int(flag, value, 1, 3600)) },
                "--warmup" => options with { Warmup = TimeSpan.FromSeconds(Int(flag, value, 0, 3600)) },
                "--pids" => options with { Pids = new Dictionary<string, int[]>(options.Pids) { [value.Split('=')[0]] = value.Split('=', 2)[^1].Split(',').Select(v => Int(flag, v, 1, int.MaxValue)).ToArray() } },
                "--coalescing" => options with { Coalescing = value is "on" or "off" or "both" ? value : throw Bad(flag, value, "on, off or both") },
                "--data-plane" => options with
                {
                    DataPlane = value is "on" or "both" ? true : value is "off" ? false : throw Bad(flag, value, "on, off or both"),
                    DataPlaneBoth = value == "both",
                },
                "--near-cache" => options with { NearCache = value is "on" or "off" ? value : throw Bad(flag, value, "on or off") },
                "--tls-cert" => options with { TlsCertificate = File.Exists(value) ? value : throw Bad(flag, value, "an existing .pfx file") },
                "--tls-ca" => options with { TlsCa = File.Exists(value) ? value : throw Bad(flag, value, "an existing certificate file") },
                "--operations" => options with { Operations = Int(flag, value, 0, int.MaxValue) },
                _ => throw new ArgumentException($"Unknown option {flag}."),
            };
        }

        return options;
    }

    private static int Int(string flag, string value, int min, int max) =>
        int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n >= min && n <= max
            ? n
            : throw Bad(flag, value, $"a number between {min} and {max}");

    private static ArgumentException Bad(string flag, string value, string rule) => new($"{flag} is '{value}'; it must be {rule}.");
}
