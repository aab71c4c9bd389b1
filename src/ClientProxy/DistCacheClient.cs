using Akka.Actor;
using Akka.Configuration;
using Akka.Event;
using DistCacheAkka.ClientProxy.Actors;
using DistCacheAkka.Messages;
using DistCacheAkka.Messages.Serialization;
using DistCacheAkka.Messages.Settings;

namespace DistCacheAkka.ClientProxy;

/// <summary>Connects applications to a DistCacheAkka cluster.</summary>
public static class DistCacheClient
{
    /// <summary>
    /// Starts a client ActorSystem (remote-only: the client never joins the cluster), registers with the data nodes
    /// named in <see cref="DistCacheClientOptions.SeedNodes"/> (any data node will do: each reports all the others),
    /// and waits until some data node's gateway is reachable.
    /// </summary>
    /// <exception cref="ArgumentException">The options are invalid (no seeds, malformed seed, non-positive timeouts, a TLS
    /// certificate that is missing, unreadable, without its private key or not signed by the configured CA).</exception>
    /// <exception cref="DistCacheConnectionException">No seed answered (with TLS: also when the nodes refused the
    /// handshake — the client's log says why), or no data node was reachable, within the connect timeout.</exception>
    public static async Task<IDistCacheClient> ConnectAsync(DistCacheClientOptions options, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        var seeds = ValidateOptions(options);
        var settings = options.ClusterSettings;

        var tls = LoadTls(options.Tls);
        var config = ConfigurationFactory.ParseString(options.ExtraHocon ?? "")
            .WithFallback(ConfigurationFactory.ParseString(
                $"akka.remote.dot-netty.tcp.hostname = \"{options.ClientHost}\"\nakka.remote.dot-netty.tcp.port = {options.ClientPort}\n" +
                $"akka.remote.dot-netty.tcp.enable-ssl = {(tls is null ? "off" : "on")}"))
            .WithFallback(ClientConfig)
            .WithFallback(DistCacheConfig.Reference);
        var setup = BootstrapSetup.Create().WithConfig(config);
        var system = tls is null
            ? ActorSystem.Create(ActorNames.SystemName, setup)
            : ActorSystem.Create(ActorNames.SystemName, setup.And(tls.Setup()));
        try
        {
            var self = ((ExtendedActorSystem)system).Provider.DefaultAddress;
            var contacts = seeds.Select(s => new Address(self.Protocol, ActorNames.SystemName, s.Host, s.Port)).ToList();
            var coalescing = CoalescingSettings.Create(config) with { ReplyTimeout = options.RequestTimeout, UseDataPlane = options.UseDataPlane, DataPlaneTls = tls };
            var near = options.NearCache is { } nearOptions ? new NearCache.NearCache(nearOptions, settings.Shards) : null;
            var proxy = system.ActorOf(ClientProxyActor.Props(contacts, settings, coalescing), "distcache-client");
            if (near is not null)
                proxy.Tell(new ClientProxyActor.AttachNearCache(near));
            await WaitForClusterAsync(proxy, options, ct).ConfigureAwait(false);
            return new DistCacheClientImpl(system, proxy, options, ownsSystem: true, near);
        }
        catch
        {
            await system.Terminate().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>The client's TLS identity, checked before anything starts; a problem is an <see cref="ArgumentException"/>.</summary>
    internal static Security.TlsMaterial? LoadTls(DistCacheTlsOptions? tls)
    {
        if (tls is null)
            return null;
        try
        {
            return Security.TlsMaterial.Load("DistCacheClientOptions.Tls", tls.CertificatePath, tls.CertificatePassword, tls.CaCertificatePath,
                nameof(DistCacheTlsOptions.CertificatePath), nameof(DistCacheTlsOptions.CaCertificatePath));
        }
        catch (DistCacheConfigurationException e)
        {
            throw new ArgumentException(e.Message, "options", e);
        }
    }

    /// <summary>
    /// Wraps an existing ClientProxy actor (for example one started by
    /// <see cref="Hosting.DistCacheClientHostingExtensions.WithDistCacheClient"/>) in the typed client. Disposing it
    /// does not stop the ActorSystem, which the application owns.
    /// </summary>
    /// <exception cref="ArgumentException"><see cref="DistCacheClientOptions.NearCache"/> is set: a near cache needs the
    /// proxy that keeps it coherent, which only <see cref="ConnectAsync"/> starts.</exception>
    public static IDistCacheClient FromProxy(ActorSystem system, IActorRef clientProxy, DistCacheClientOptions options) =>
        options.NearCache is null
            ? new DistCacheClientImpl(system, clientProxy, options, ownsSystem: false)
            : throw new ArgumentException("DistCacheClientOptions.NearCache is set, but a proxy started elsewhere does not keep a near cache coherent: " +
                                          "connect with DistCacheClient.ConnectAsync for a near cache, or leave NearCache null.", nameof(options));

    /// <summary>The embedded hocon/client.conf, over the protocol serializer's registration
    /// (<see cref="CacheProtocolSerializer.Hocon"/>, the one the data nodes layer too).</summary>
    public static Config ClientConfig { get; } = LoadClientConfig();

    /// <summary>The seeds of <paramref name="options"/> as addresses of data nodes, in the protocol of <paramref name="system"/>'s remoting.</summary>
    /// <exception cref="ArgumentException">A seed is malformed.</exception>
    public static IReadOnlyList<Address> ContactsOf(ActorSystem system, DistCacheClientOptions options)
    {
        var self = ((ExtendedActorSystem)system).Provider.DefaultAddress;
        return ParseSeeds(options.SeedNodes).Select(s => new Address(self.Protocol, ActorNames.SystemName, s.Host, s.Port)).ToList();
    }

    /// <summary>Waits until the proxy can send requests: some data node reported and its gateway answered.</summary>
    public static async Task WaitForClusterAsync(IActorRef proxy, DistCacheClientOptions options, CancellationToken ct)
    {
        var seeds = string.Join(", ", options.SeedNodes);
        try
        {
            await proxy.Ask<ConnectionState>(AwaitConnected.Instance, options.ConnectTimeout, ct).ConfigureAwait(false);
        }
        catch (AskTimeoutException)
        {
            ConnectionState? state;
            try
            {
                state = await proxy.Ask<ConnectionState>(GetConnectionState.Instance, TimeSpan.FromSeconds(5), ct).ConfigureAwait(false);
            }
            catch (AskTimeoutException)
            {
                state = null; // the proxy is too busy to say: report what the caller can act on
            }

            throw new DistCacheConnectionException(state is { HeardFromCluster: true }
                ? $"Data nodes answered through seeds [{seeds}] ({state.DataNodes} data nodes reported) but none of their gateways was reachable within {options.ConnectTimeout.TotalSeconds:0.#} s."
                : $"Could not reach the cluster through seeds [{seeds}] within {options.ConnectTimeout.TotalSeconds:0.#} s: no seed answered. Check that a CacheNode runs there, and that TLS is on (with certificates of the same CA) on both sides or on neither: the logs say why a handshake failed.",
                options.SeedNodes);
        }
    }

    internal static List<(string Host, int Port)> ValidateOptions(DistCacheClientOptions options)
    {
        if (options.SeedNodes is null || options.SeedNodes.Count == 0)
            throw new ArgumentException("DistCacheClientOptions.SeedNodes is empty; name at least one cluster member as host:port.", nameof(options));
        if (options.NearCache?.Problem() is { } nearCacheProblem)
            throw new ArgumentException($"DistCacheClientOptions.{nearCacheProblem}", nameof(options));
        if (options.RequestTimeout <= TimeSpan.Zero)
            throw new ArgumentException($"DistCacheClientOptions.RequestTimeout is {options.RequestTimeout}; it must be positive.", nameof(options));
        if (options.ConnectTimeout <= TimeSpan.Zero)
            throw new ArgumentException($"DistCacheClientOptions.ConnectTimeout is {options.ConnectTimeout}; it must be positive.", nameof(options));
        if (RequestValidation.CheckConsistency(options.DefaultConsistency) is { } problem)
            throw new ArgumentException($"DistCacheClientOptions.DefaultConsistency: {problem}", nameof(options));
        if (options.ClientPort is < 0 or > 65535)
            throw new ArgumentException($"DistCacheClientOptions.ClientPort is {options.ClientPort}; it must be between 0 and 65535.", nameof(options));
        return ParseSeeds(options.SeedNodes);
    }

    private static List<(string Host, int Port)> ParseSeeds(IReadOnlyList<string> seeds)
    {
        if (seeds is null || seeds.Count == 0)
            throw new ArgumentException("DistCacheClientOptions.SeedNodes is empty; name at least one data node as host:port.", "options");
        return seeds.Select(seed =>
        {
            var colon = seed?.LastIndexOf(':') ?? -1;
            if (seed is null || colon <= 0 || !int.TryParse(seed[(colon + 1)..], out var port) || port is < 1 or > 65535)
                throw new ArgumentException($"Seed node \"{seed}\" is malformed; it must be host:port, e.g. 127.0.0.1:4053.", "options");
            return (seed[..colon], port);
        }).ToList();
    }

    private static Config LoadClientConfig()
    {
        using var stream = typeof(DistCacheClient).Assembly.GetManifestResourceStream("DistCacheAkka.client.conf")
            ?? throw new InvalidOperationException("DistCacheAkka.client.conf is not embedded in ClientProxy.");
        using var reader = new StreamReader(stream);
        return ConfigurationFactory.ParseString(reader.ReadToEnd()).WithFallback(CacheProtocolSerializer.Config);
    }
}
