using Akka.Actor;
using Akka.Cluster.Hosting;
using Akka.Configuration;
using Akka.Event;
using Akka.Hosting;
using Akka.Remote.Hosting;
using DistCacheAkka.CacheNode.Events;
using DistCacheAkka.CacheNode.Management;
using DistCacheAkka.CacheNode.Memory;
using DistCacheAkka.CacheNode.Stats;
using DistCacheAkka.CacheNode.Telemetry;
using DistCacheAkka.ClientProxy;
using DistCacheAkka.ClientProxy.Actors;
using DistCacheAkka.Messages;
using DistCacheAkka.Messages.Settings;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace DistCacheAkka.CacheNode.Hosting;

/// <summary>
/// Builds a standalone data node: an <see cref="IHost"/> running the ActorSystem "distcache" with what is specific to
/// the CacheNode process — remoting on the node's address (with mutual TLS when configured), clustering with the data
/// role plus seed or worker, the management endpoint and metrics export, joining the seeds — and the data-node part
/// itself from <see cref="DistCacheNodeHostingExtensions.WithDistCacheNode(Akka.Hosting.AkkaConfigurationBuilder, DistCacheNodeOptions?)"/>,
/// the same code an application embedding a node runs (shard region, replicator, gateway, client registry, events,
/// stats, cluster events, warm-up), on services created here so the management endpoint can read them.
/// Stopping the host (SIGTERM, Ctrl+C) runs coordinated shutdown: the node hands off its shards and leaves.
/// </summary>
internal static class NodeHost
{
    public static IHost Build(Config config)
    {
        var settings = DistCacheSettings.Create(config);
        var node = NodeSettings.Create(config);
        DataNodeSettings.Create(config); // validated here too, so a bad value exits with code 2 before anything starts
        var memory = MemorySettings.Create(config);
        var budget = MemoryBudget.From(memory, GC.GetGCMemoryInfo().TotalAvailableMemoryBytes);
        var metrics = new NodeMetrics();
        var telemetry = TelemetrySettings.Create(config);
        var instanceId = node.Port != 0 ? $"{node.Host}:{node.Port}" : Guid.NewGuid().ToString("N");
        var interest = new EventInterest();
        var handle = new NodeHandle { Gc = GcPauseMonitor.StartForProcess(), GcThrashingPauseFraction = memory.GcThrashingPauseFraction };

        var builder = new HostBuilder().ConfigureServices(services =>
        {
            services.AddSingleton(settings);
            services.AddSingleton(node);
            services.AddSingleton(metrics);
            services.AddSingleton(budget);
            services.AddSingleton(interest);
            services.AddSingleton(handle);
            // Factories, so the host disposes them: the meter, then the export pipeline (a last OTLP push).
            services.AddSingleton(_ => new NodeTelemetry(metrics, budget));
            services.AddSingleton(sp => MetricsExport.Create(telemetry, sp.GetRequiredService<NodeTelemetry>(), node.ManagementEnabled, instanceId));
            // Registered before Akka so it binds first: a taken port stops the node before it joins the cluster.
            services.AddSingleton<ManagementEndpoint>();
            services.AddHostedService(sp => sp.GetRequiredService<ManagementEndpoint>());
            services.AddAkka(ActorNames.SystemName, (akka, provider) =>
            {
                akka.AddHocon(config, HoconAddMode.Prepend)
                    .AddHocon(ClusterBootstrapSetup.Hocon(node), HoconAddMode.Append)
                    .WithRemoting(RemoteOptionsOf(node))
                    .WithClustering(new ClusterOptions { Roles = [settings.DataRole, node.Role] })
                    // The data-node part, on the services registered above (the management endpoint reads the handle).
                    .WithDistCacheNode(new DistCacheNodeOptions(),
                        _ => new DataNodeServices(metrics, budget, interest, provider.GetRequiredService<NodeTelemetry>(), handle))
                    .WithActors((system, _) =>
                    {
                        system.WhenTerminated.ContinueWith(_ => handle.Gc?.Dispose(), TaskScheduler.Default);
                        if (provider.GetRequiredService<ManagementEndpoint>().Address is { } management)
                            system.Log.Info("Management endpoint listening on {0}:{1} (CLI: distcache-cli {2}{0}:{1} cluster show{3})", management.Host, management.Port,
                                management.Scheme == "https" ? "https://" : "", management.Scheme == "https" ? " --ca <the CA's file>" : "");
                    })
                    .AddStartup(async (system, registry) =>
                    {
                        var region = await registry.GetAsync<DistCacheRegion>();
                        StartManagementClient(system, region, handle);
                        if (!await ClusterBootstrapSetup.TryStartAsync(system, node))
                            Join(system, node);
                    });
            });
        });
        return builder.Build();
    }

    /// <summary>Remoting on the node's address; with <c>distcache.tls</c> on, mutual TLS with the node's certificate and CA.</summary>
    private static RemoteOptions RemoteOptionsOf(NodeSettings node) => new()
    {
        HostName = node.Host,
        Port = node.Port,
        EnableSsl = node.Tls is not null,
        Ssl = node.Tls is not { } tls ? null! : new SslOptions
        {
            X509Certificate = tls.Certificate,
            SuppressValidation = false,
            RequireMutualAuthentication = true,
            ValidateCertificateHostname = false,
            CustomValidator = tls.Validator(),
        },
    };

    /// <summary>
    /// The management endpoint's cache commands use an in-node ClientProxy whose first contact is this node (the
    /// same path an application's client takes), and it keeps the latest RebalancingProgress event for
    /// <c>cache rebalance-status</c>.
    /// </summary>
    private static void StartManagementClient(ActorSystem system, IActorRef region, NodeHandle handle)
    {
        var settings = handle.Context!.Settings;
        // Coalescing off: operators' commands are rare; each leaves at once in an envelope of one.
        var self = Akka.Cluster.Cluster.Get(system).SelfAddress;
        var proxy = system.ActorOf(
            ClientProxyActor.Props([self], settings, CoalescingSettings.Default with { Enabled = false }),
            "distcache-management-client");
        var client = DistCacheClient.FromProxy(system, proxy, new DistCacheClientOptions
        {
            SeedNodes = [],
            ClusterSettings = settings,
            DefaultConsistency = settings.DefaultConsistency,
            RequestTimeout = TimeSpan.FromSeconds(10),
        });
        handle.Region = region;
        handle.Client = client;
        var stopped = new CancellationTokenSource();
        system.WhenTerminated.ContinueWith(_ => stopped.Cancel(), TaskScheduler.Default);
        _ = Task.Run(async () =>
        {
            try
            {
                await foreach (var e in client.SubscribeAsync(CacheEventFilter.Of(CacheEventKind.RebalancingProgress), stopped.Token))
                    handle.Observe((RebalancingProgress)e);
            }
            catch (OperationCanceledException)
            {
                // the node is shutting down
            }
        });
    }

    /// <summary>A seed without seeds forms a cluster by joining itself; everyone else joins the listed seeds.</summary>
    private static void Join(ActorSystem system, NodeSettings node)
    {
        var cluster = Akka.Cluster.Cluster.Get(system);
        var self = cluster.SelfAddress;
        if (node.Seeds.Count == 0)
        {
            cluster.Join(self);
            return;
        }

        cluster.JoinSeedNodes(node.Seeds.Select(s => new Address(self.Protocol, self.System, s.Host, s.Port)).ToList());
    }
}
