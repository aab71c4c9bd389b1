using System.Collections.Immutable;
using System.Net;
using Akka.Actor;
using Akka.Cluster;
using Akka.Management.Cluster.Bootstrap.ContactPoint;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Newtonsoft.Json;

namespace DistCacheAkka.CacheNode.Hosting;

/// <summary>
/// The contact point Cluster Bootstrap probes: <c>GET /bootstrap/seed-nodes</c> on the bootstrap port, answering
/// which members this node knows (none while it is not in a cluster). Peers decide from these answers whether to
/// join an existing cluster or, when nobody is in one, whether they are the lowest address that forms it.
/// Why not Akka.Management's own HTTP server: in 1.5.73 it runs on Ceen.Httpd 0.9.9, and only 0.9.10 restores here,
/// whose changed API makes it throw MissingMethodException at start. The reply uses Akka.Management's own protocol
/// types and serializer, so the probing side (Akka's) reads it exactly as it reads its own server's.
/// Served over plain HTTP: it exposes the members' addresses only, read-only, with no way to change anything.
/// </summary>
internal sealed class BootstrapEndpoint : IAsyncDisposable
{
    private readonly WebApplication _app;

    private BootstrapEndpoint(WebApplication app) => _app = app;

    /// <summary>Listens on <paramref name="bindHost"/>:<paramref name="port"/>; throws IOException when it cannot.</summary>
    public static async Task<BootstrapEndpoint> StartAsync(ActorSystem system, string bindHost, int port)
    {
        var addresses = AddressesOf(bindHost);
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ApplicationName = "DistCacheAkka.Bootstrap" });
        builder.Logging.ClearProviders();
        builder.Configuration.Sources.Clear(); // no ASPNETCORE_URLS or appsettings can add listeners
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            foreach (var address in addresses)
                kestrel.Listen(address, port);
        });
        var app = builder.Build();
        app.MapGet("/bootstrap/seed-nodes", () => Results.Text(SeedNodesJson(system), "application/json"));
        try
        {
            await app.StartAsync();
        }
        catch
        {
            await app.DisposeAsync();
            throw;
        }

        return new BootstrapEndpoint(app);
    }

    /// <summary>This node and the members it can offer as seeds: reachable, and Joining, WeaklyUp or Up.</summary>
    internal static string SeedNodesJson(ActorSystem system)
    {
        var cluster = Akka.Cluster.Cluster.Get(system);
        var self = cluster.SelfMember;
        // A node on its way out (or not yet in a cluster: Removed is also the state before the first join) offers nobody.
        if (self.Status is MemberStatus.Down or MemberStatus.Leaving or MemberStatus.Exiting or MemberStatus.Removed)
            return JsonConvert.SerializeObject(new HttpBootstrapJsonProtocol.SeedNodes(self.Address, []));
        var state = cluster.State;
        var members = state.Members
            .Where(m => !state.Unreachable.Contains(m) && m.Status is MemberStatus.Up or MemberStatus.WeaklyUp or MemberStatus.Joining)
            .Select(m => new HttpBootstrapJsonProtocol.ClusterMember(m.Address, m.UniqueAddress.Uid, m.Status, m.Roles))
            .ToImmutableList();
        return JsonConvert.SerializeObject(new HttpBootstrapJsonProtocol.SeedNodes(self.Address, members));
    }

    private static IPAddress[] AddressesOf(string host)
    {
        if (host.Equals("localhost", StringComparison.OrdinalIgnoreCase))
            return [IPAddress.Loopback];
        if (IPAddress.TryParse(host.Trim('[', ']'), out var ip))
            return [ip];
        return Dns.GetHostAddresses(host); // a container's own name, e.g. in a compose file
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
