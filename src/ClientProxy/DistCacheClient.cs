using Akka.Actor;
using Akka.Cluster;
using Akka.Cluster.Sharding;
using Akka.Cluster.Tools.PublishSubscribe;
using Akka.Configuration;
using DistCacheAkka.ClientProxy.Actors;
using DistCacheAkka.Messages;
using DistCacheAkka.Messages.Hashing;
using DistCacheAkka.Messages.Routing;
using DistCacheAkka.Messages.Settings;

namespace DistCacheAkka.ClientProxy;

/// <summary>Connects applications to a DistCacheAkka cluster.</summary>
public static class DistCacheClient
{
    /// <summary>
    /// Starts a client ActorSystem with role "client", joins the cluster through <see cref="DistCacheClientOptions.SeedNodes"/>,
    /// waits until it is Up and sees at least one Up data node, and starts the shard region proxy and the ClientProxy actor.
    /// </summary>
    /// <exception cref="ArgumentException">The options are invalid (no seeds, malformed seed, non-positive timeouts).</exception>
    /// <exception cref="DistCacheConnectionException">No seed could be joined, or no data node was Up, within the connect timeout.</exception>
    public static async Task<IDistCacheClient> ConnectAsync(DistCacheClientOptions options, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        var seeds = ValidateOptions(options);
        var settings = options.ClusterSettings;

        var config = ConfigurationFactory.ParseString(options.ExtraHocon ?? "")
            .WithFallback(ConfigurationFactory.ParseString(
                $"akka.remote.dot-netty.tcp.hostname = \"{options.ClientHost}\"\nakka.remote.dot-netty.tcp.port = {options.ClientPort}"))
            .WithFallback(ClientConfig)
            .WithFallback(DistCacheConfig.Reference)
            // A plain ActorSystem does not load the contrib modules' reference configs (serializers among them)
            // before their extensions start; remote messages of pub-sub and sharding need them from the first byte.
            .WithFallback(DistributedPubSub.DefaultConfig())
            .WithFallback(ClusterSharding.DefaultConfig())
            .WithFallback(Akka.Cluster.Tools.Singleton.ClusterSingleton.DefaultConfig());
        var system = ActorSystem.Create(ActorNames.SystemName, config);
        try
        {
            var cluster = Cluster.Get(system);
            var self = cluster.SelfAddress;
            cluster.JoinSeedNodes(seeds.Select(s => new Address(self.Protocol, ActorNames.SystemName, s.Host, s.Port)).ToList());
            await WaitForClusterAsync(cluster, settings.DataRole, options, ct).ConfigureAwait(false);

            var mediator = DistributedPubSub.Get(system).Mediator;
            var extractor = new ConsistentHashMessageExtractor(new ShardResolver(settings.Shards, settings.HashAlgorithm));
            var region = await ClusterSharding.Get(system).StartProxyAsync(settings.RegionName, settings.DataRole, extractor).ConfigureAwait(false);
            var coalescing = CoalescingSettings.Create(config) with { ReplyTimeout = options.RequestTimeout };
            var proxy = system.ActorOf(ClientProxyActor.Props(region, mediator, settings, coalescing), "distcache-client");
            return new DistCacheClientImpl(system, proxy, options, ownsSystem: true);
        }
        catch
        {
            await system.Terminate().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>
    /// Wraps an existing ClientProxy actor (for example one started by
    /// <see cref="Hosting.DistCacheClientHostingExtensions.WithDistCacheClient"/>) in the typed client. Disposing it
    /// does not stop the ActorSystem, which the application owns.
    /// </summary>
    public static IDistCacheClient FromProxy(ActorSystem system, IActorRef clientProxy, DistCacheClientOptions options) =>
        new DistCacheClientImpl(system, clientProxy, options, ownsSystem: false);

    /// <summary>The embedded hocon/client.conf.</summary>
    public static Config ClientConfig { get; } = LoadClientConfig();

    private static async Task WaitForClusterAsync(Cluster cluster, string dataRole, DistCacheClientOptions options, CancellationToken ct)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(options.ConnectTimeout);
        var up = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        cluster.RegisterOnMemberUp(() => up.TrySetResult());
        var seeds = string.Join(", ", options.SeedNodes);
        try
        {
            await up.Task.WaitAsync(timeout.Token).ConfigureAwait(false);
            while (!cluster.State.Members.Any(m => m.Status == MemberStatus.Up && m.HasRole(dataRole)))
                await Task.Delay(50, timeout.Token).ConfigureAwait(false); // polling the membership view, bounded by the connect timeout
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            var joined = cluster.SelfMember.Status == MemberStatus.Up;
            throw new DistCacheConnectionException(joined
                ? $"Joined the cluster through seeds [{seeds}] but no data node (role \"{dataRole}\") was Up within {options.ConnectTimeout.TotalSeconds:0.#} s."
                : $"Could not join the cluster through seeds [{seeds}] within {options.ConnectTimeout.TotalSeconds:0.#} s: no seed answered. Check that a CacheNode runs there.",
                options.SeedNodes);
        }
    }

    private static List<(string Host, int Port)> ValidateOptions(DistCacheClientOptions options)
    {
        if (options.SeedNodes is null || options.SeedNodes.Count == 0)
            throw new ArgumentException("DistCacheClientOptions.SeedNodes is empty; name at least one cluster member as host:port.", nameof(options));
        if (options.RequestTimeout <= TimeSpan.Zero)
            throw new ArgumentException($"DistCacheClientOptions.RequestTimeout is {options.RequestTimeout}; it must be positive.", nameof(options));
        if (options.ConnectTimeout <= TimeSpan.Zero)
            throw new ArgumentException($"DistCacheClientOptions.ConnectTimeout is {options.ConnectTimeout}; it must be positive.", nameof(options));
        if (RequestValidation.CheckConsistency(options.DefaultConsistency) is { } problem)
            throw new ArgumentException($"DistCacheClientOptions.DefaultConsistency: {problem}", nameof(options));
        if (options.ClientPort is < 0 or > 65535)
            throw new ArgumentException($"DistCacheClientOptions.ClientPort is {options.ClientPort}; it must be between 0 and 65535.", nameof(options));

        return options.SeedNodes.Select(seed =>
        {
            var colon = seed?.LastIndexOf(':') ?? -1;
            if (seed is null || colon <= 0 || !int.TryParse(seed[(colon + 1)..], out var port) || port is < 1 or > 65535)
                throw new ArgumentException($"Seed node \"{seed}\" is malformed; it must be host:port, e.g. 127.0.0.1:4053.", nameof(options));
            return (seed[..colon], port);
        }).ToList();
    }

    private static Config LoadClientConfig()
    {
        using var stream = typeof(DistCacheClient).Assembly.GetManifestResourceStream("DistCacheAkka.client.conf")
            ?? throw new InvalidOperationException("DistCacheAkka.client.conf is not embedded in ClientProxy.");
        using var reader = new StreamReader(stream);
        return ConfigurationFactory.ParseString(reader.ReadToEnd());
    }
}
