using Akka.Hosting;
using DistCacheAkka.ClientProxy.Actors;
using DistCacheAkka.Messages.Serialization;

namespace DistCacheAkka.ClientProxy.Hosting;

/// <summary>Registry key of the ClientProxy actor: inject <c>IRequiredActor&lt;DistCacheClientProxy&gt;</c>.</summary>
public sealed class DistCacheClientProxy;

/// <summary>Akka.Hosting integration of the client.</summary>
public static class DistCacheClientHostingExtensions
{
    /// <summary>
    /// Adds the DistCacheAkka client to an Akka.Hosting ActorSystem with remoting (<c>WithRemoting</c>; a cluster
    /// provider works too, and the application's own cluster is never joined to the cache's): the protocol serializer
    /// and the ClientProxy actor, which contacts the data nodes of <see cref="DistCacheClientOptions.SeedNodes"/>,
    /// registered as <see cref="DistCacheClientProxy"/> for <c>IRequiredActor&lt;&gt;</c> injection. Wrap it in the
    /// typed client with <see cref="DistCacheClient.FromProxy"/>; <see cref="DistCacheClient.WaitForClusterAsync"/>
    /// waits until it can send requests.
    /// </summary>
    /// <exception cref="ArgumentException">A seed is malformed (when the actor system starts), or
    /// <see cref="DistCacheClientOptions.NearCache"/> is set (a near cache needs <see cref="DistCacheClient.ConnectAsync"/>).</exception>
    public static AkkaConfigurationBuilder WithDistCacheClient(this AkkaConfigurationBuilder builder, DistCacheClientOptions options)
    {
        if (options.NearCache is not null)
            throw new ArgumentException("DistCacheClientOptions.NearCache is set, but WithDistCacheClient's proxy does not keep a near cache: " +
                                        "connect with DistCacheClient.ConnectAsync for a near cache, or leave NearCache null.", nameof(options));
        var settings = options.ClusterSettings;
        return builder
            .AddHocon(CacheProtocolSerializer.Config, HoconAddMode.Append)
            .WithActors((system, registry) =>
            {
                // With options.Tls the data plane speaks mutual TLS with that identity; TLS set only in the application's
                // HOCON gives it no certificate to present, so the data plane is not used then (plaintext never is, beside TLS).
                var tls = DistCacheClient.LoadTls(options.Tls);
                var hoconTlsOnly = tls is null && system.Settings.Config.GetBoolean("akka.remote.dot-netty.tcp.enable-ssl", false);
                var coalescing = CoalescingSettings.Create(system.Settings.Config) with
                {
                    ReplyTimeout = options.RequestTimeout,
                    UseDataPlane = options.UseDataPlane && !hoconTlsOnly,
                    DataPlaneTls = tls,
                };
                var proxy = system.ActorOf(
                    ClientProxyActor.Props(DistCacheClient.ContactsOf(system, options), settings, coalescing),
                    "distcache-client");
                registry.Register<DistCacheClientProxy>(proxy);
            });
    }
}
