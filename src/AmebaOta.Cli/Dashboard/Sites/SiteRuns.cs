using AmebaOta.Cli.Commands;
using AmebaOta.Fleet;
using AmebaOta.Fleet.History;
using AmebaOta.Fleet.Sites;

namespace AmebaOta.Cli.Dashboard.Sites;

/// <summary>The boards of a run that their sites' agents send to, each with its site and family.</summary>
public sealed record SiteTargets(IReadOnlyList<FleetTarget> Targets, IReadOnlyDictionary<string, (string Site, string Family)> Boards);

/// <summary>
/// Runs from the page over the sites' boards (a shared PostgreSQL database): the boards chosen that are at a site with an
/// agent up are sent to by their agents, through the same <see cref="SiteFleetSender"/> as <c>fleet rollout</c>'s, so stages,
/// max failures, stop and resume keep their meaning, and a board is never updated by two workers at once. Work already open
/// on a board chosen (a job, or a live rollout that has not done it yet, from this dashboard, another one or a CLI) refuses
/// the start, saying whose it is.
/// </summary>
public sealed class SiteRuns(JobQueue queue, Action<string> warn)
{
    /// <summary>
    /// The boards' sites, or null when none of <paramref name="names"/> is at a site with an agent up (the page sends from here).
    /// </summary>
    /// <exception cref="DashboardError">Some are at sites and some not (two runs are needed), or work is open on some (409).</exception>
    public SiteTargets? Targets(IReadOnlyList<string> names)
    {
        try
        {
            var up = queue.Agents(HistoryCommands.AgentStale).Where(a => a.Alive).Select(a => a.Site).ToHashSet(StringComparer.OrdinalIgnoreCase);
            var atSites = queue.AllSiteBoards()
                .Where(b => up.Contains(b.Site) && b.Age < SiteMode.Online && b.EndPoint is not null)
                .ToDictionary(b => b.Name, StringComparer.OrdinalIgnoreCase);
            var conflicts = queue.Conflicts(names);
            if (conflicts.Count > 0) throw new DashboardError(409, JobQueue.ConflictSentence(conflicts));
            var here = names.Where(n => !atSites.ContainsKey(n)).ToList();
            if (here.Count == names.Count) return null;
            if (here.Count > 0)
                throw new DashboardError(422, $"{here.Count} of the boards chosen are at no site with an agent up ({string.Join(", ", here.Take(5))}{(here.Count > 5 ? ", …" : "")}): " +
                    "send to them and to the sites' boards in two runs");
            var boards = names.Select(n => atSites[n]).ToList();
            return new SiteTargets([.. boards.Select(b => new FleetTarget(b.Name, b.EndPoint!, ByName: true))],
                boards.ToDictionary(b => b.Name, b => (b.Site, b.Family), StringComparer.OrdinalIgnoreCase));
        }
        catch (HistoryException e)
        {
            throw new DashboardError(503, $"cannot plan over the sites: {e.Message}");
        }
    }

    /// <summary>The sender of a run (or of each stage of a rollout): the boards' site agents.</summary>
    public IFleetSender Sender(SiteTargets targets, FleetOptions options, ImageIdentity image, long? rolloutId)
    {
        var sender = new SiteFleetSender(queue, targets.Boards, options, image, DashboardHistory.Command, rolloutId);
        sender.Notice += warn;
        return sender;
    }
}
