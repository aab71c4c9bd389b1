using Akka.Actor;
using Akka.Cluster;

namespace DistCacheAkka.CacheNode.Management;

/// <summary>The <c>cluster</c> palette: membership as this node sees it, and membership changes.</summary>
internal sealed class ClusterCommands(NodeHandle handle)
{
    private Akka.Cluster.Cluster Cluster => Akka.Cluster.Cluster.Get(handle.System!);

    public object Show()
    {
        var state = Cluster.State;
        var unreachable = state.Unreachable.Select(m => m.Address).ToHashSet();
        return new
        {
            self = Cluster.SelfAddress.ToString(),
            leader = state.Leader?.ToString(),
            members = state.Members.Concat(state.Unreachable.Where(m => !state.Members.Contains(m)))
                .OrderBy(m => m.Address.ToString(), StringComparer.Ordinal)
                .Select(m => new
                {
                    address = m.Address.ToString(),
                    status = m.Status.ToString(),
                    reachable = !unreachable.Contains(m.Address),
                    roles = string.Join(",", m.Roles.OrderBy(r => r, StringComparer.Ordinal)),
                    leader = m.Address.Equals(state.Leader),
                    self = m.Address.Equals(Cluster.SelfAddress),
                })
                .ToList(),
        };
    }

    public object Status()
    {
        var state = Cluster.State;
        var self = Cluster.SelfMember;
        return new
        {
            address = self.Address.ToString(),
            status = self.Status.ToString(),
            roles = string.Join(",", self.Roles.OrderBy(r => r, StringComparer.Ordinal)),
            leader = state.Leader?.ToString(),
            isLeader = self.Address.Equals(state.Leader),
            membersUp = state.Members.Count(m => m.Status == MemberStatus.Up),
            members = state.Members.Count,
            unreachable = state.Unreachable.Select(m => m.Address.ToString()).OrderBy(a => a, StringComparer.Ordinal).ToList(),
        };
    }

    public object Leader()
    {
        var state = Cluster.State;
        return new
        {
            leader = state.Leader?.ToString(),
            roleLeaders = state.AllRoles.OrderBy(r => r, StringComparer.Ordinal)
                .Select(role => new { role, leader = state.RoleLeader(role)?.ToString() })
                .ToList(),
        };
    }

    /// <summary>This node joins the cluster at <paramref name="address"/> (asynchronous: watch <c>cluster show</c>).</summary>
    public object Join(string address)
    {
        var target = ManagementArguments.Address(address, Cluster.SelfAddress);
        Cluster.Join(target);
        return new { accepted = true, command = "join", address = target.ToString(), note = "joining is asynchronous; check with cluster show" };
    }

    /// <summary>A member (default: this node) leaves gracefully: it hands off its shards, then exits.</summary>
    public object Leave(string? address)
    {
        var target = address is null ? Cluster.SelfAddress : ManagementArguments.Address(address, Cluster.SelfAddress);
        RequireMember(target);
        Cluster.Leave(target);
        return new { accepted = true, command = "leave", address = target.ToString(), note = "the member hands off its shards, then exits" };
    }

    /// <summary>Marks a member down: the cluster stops waiting for it and fails over its shards.</summary>
    public object Down(string address)
    {
        var target = ManagementArguments.Address(address, Cluster.SelfAddress);
        RequireMember(target);
        Cluster.Down(target);
        return new { accepted = true, command = "down", address = target.ToString(), note = "its shards fail over to their backups" };
    }

    public object DownUnreachable()
    {
        var unreachable = Cluster.State.Unreachable.Select(m => m.Address).OrderBy(a => a.ToString(), StringComparer.Ordinal).ToList();
        foreach (var address in unreachable)
            Cluster.Down(address);
        return new { accepted = true, command = "down-unreachable", downed = unreachable.Select(a => a.ToString()).ToList() };
    }

    private void RequireMember(Address address)
    {
        var state = Cluster.State;
        if (!state.Members.Any(m => m.Address.Equals(address)) && !state.Unreachable.Any(m => m.Address.Equals(address)))
            throw new ManagementNotFoundException(
                $"{address} is not a member; members are: {string.Join(", ", state.Members.Select(m => m.Address.ToString()))}");
    }
}
