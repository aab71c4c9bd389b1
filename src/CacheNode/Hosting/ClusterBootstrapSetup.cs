using System.Text;
using Akka.Actor;
using Akka.Event;
using Akka.Management.Cluster.Bootstrap;
using Akka.Management.Dsl;
using DistCacheAkka.CacheNode.Management;

namespace DistCacheAkka.CacheNode.Hosting;

/// <summary>
/// Cluster bootstrap without static seeds: renders <c>distcache.bootstrap</c> into Akka.Management's and
/// Akka.Discovery's own keys, and starts the bootstrap endpoint and Akka.Management's Cluster Bootstrap in place of a
/// seed join.
/// Decision: HOCON rather than the Akka.Hosting options, so that any <c>akka.management.*</c> or
/// <c>akka.discovery.*</c> key in the node's configuration overrides what is rendered here (the rendered HOCON is
/// added as a fallback under the node's configuration).
/// </summary>
internal static class ClusterBootstrapSetup
{
    /// <summary>The Akka HOCON for <paramref name="node"/>'s bootstrap, or "" when bootstrap is off.</summary>
    public static string Hocon(NodeSettings node)
    {
        if (node.Bootstrap is not { } b)
            return "";
        var hocon = new StringBuilder();
        hocon.AppendLine($$"""
            akka.management.cluster.bootstrap {
              new-cluster-enabled = {{(b.NewClusterEnabled ? "on" : "off")}}
              contact-point-discovery {
                service-name = {{Quote(b.ServiceName)}}
                discovery-method = akka.discovery
                required-contact-point-nr = {{b.RequiredContactPoints}}
                stable-margin = {{(long)b.StableMargin.TotalMilliseconds}}ms
                port-name = {{Quote(b.Method == BootstrapMethod.KubernetesApi ? b.PortName : "")}}
              }
              contact-point.fallback-port = {{b.Port}}
            }
            """);
        switch (b.Method)
        {
            case BootstrapMethod.Config:
                // Every contact point is a bootstrap endpoint, on ports that differ when nodes share a host: keeping
                // only those on this node's own port (Akka's default filter) would leave each node alone.
                hocon.AppendLine($$"""
                    akka.management.cluster.bootstrap.contact-point.filter-on-fallback-port = false
                    akka.discovery.method = config
                    akka.discovery.config.services {
                      {{Quote(b.ServiceName)}} {
                        endpoints = [{{string.Join(", ", b.ContactPoints.Select(p => Quote($"{p.Host}:{p.Port}")))}}]
                      }
                    }
                    """);
                break;
            case BootstrapMethod.KubernetesApi:
                hocon.AppendLine("akka.discovery.method = kubernetes-api");
                break;
        }

        return hocon.ToString();
    }

    /// <summary>
    /// With bootstrap on, starts the bootstrap endpoint (<see cref="BootstrapEndpoint"/>) and Cluster Bootstrap, which
    /// forms or joins the cluster in the background, and returns true; returns false when the node should join its
    /// static seeds instead.
    /// </summary>
    /// <exception cref="ManagementBindException">The bootstrap endpoint cannot listen (port taken, address not local).</exception>
    public static async Task<bool> TryStartAsync(ActorSystem system, NodeSettings node)
    {
        if (node.Bootstrap is not { } b)
            return false;
        var bindHost = b.BindHost.Length > 0 ? b.BindHost : node.Host;
        BootstrapEndpoint endpoint;
        try
        {
            endpoint = await BootstrapEndpoint.StartAsync(system, bindHost, b.Port);
        }
        catch (Exception e) when (e is IOException or System.Net.Sockets.SocketException)
        {
            // Thrown out of the node's startup: the host stops and CacheNode exits 1 with this message, as for --mgmt-port.
            throw new ManagementBindException(
                $"The bootstrap endpoint could not listen on {bindHost}:{b.Port} ({e.Message}). Nodes sharing a machine need " +
                "distinct ports: set distcache.bootstrap.port (--bootstrap-port PORT), or distcache.bootstrap.bind-host.", e);
        }

        _ = system.WhenTerminated.ContinueWith(_ => endpoint.DisposeAsync().AsTask(), TaskScheduler.Default);
        var bootstrap = ClusterBootstrap.Get(system);
        // Tells Cluster Bootstrap this node's own contact point (what Akka.Management's HTTP server does when it binds):
        // the lowest-address decision compares it with the discovered ones, so the host is distcache.node.host.
        _ = bootstrap.Routes(ManagementRouteProviderSettings.Create(new Uri($"http://{UriHost(node.Host)}:{b.Port}"), readOnly: true));
        await bootstrap.Start();
        system.Log.Info("Cluster bootstrap started: {0} discovery of service \"{1}\", bootstrap endpoint {2}:{3}, waiting for {4} contact point(s)",
            b.Method == BootstrapMethod.Config ? "config" : "kubernetes-api", b.ServiceName, node.Host, b.Port, b.RequiredContactPoints);
        return true;
    }

    private static string UriHost(string host) => host.Contains(':') && !host.StartsWith('[') ? $"[{host}]" : host;

    private static string Quote(string value) => "\"" + value.Replace("\\", "\\\\").Replace("\"", "\\\"") + "\"";
}
