using System.Data.Common;
using static AmebaOta.Fleet.History.SqlSession;

namespace AmebaOta.Fleet.History;

public sealed partial class HistoryStore
{
    private const string UploadColumns = """
        u.id, u.board, u.address, u.port, i.sha256, i.size, i.file_name, i.checksum, i.sketch_version, u.rollout_id, u.command,
        u.started_at, u.ended_at, u.outcome, u.error, u.exit_code, u.attempts, u.reboot_ms, u.family, u.site, u.actor, u.agent
        """;

    /// <summary>Uploads matching <paramref name="filter"/>, oldest first.</summary>
    public IReadOnlyList<UploadRecord> Uploads(HistoryFilter? filter = null) => Read(s =>
    {
        filter ??= new HistoryFilter();
        var where = new List<string>();
        var parameters = new List<(string, object?)>();
        if (filter.Board is { } board) { where.Add("u.board = @board"); parameters.Add(("board", board)); }
        if (filter.ImageSha is { } sha) { where.Add("u.image_sha256 LIKE @sha"); parameters.Add(("sha", sha.ToLowerInvariant() + "%")); }
        if (filter.Since is { } since) { where.Add("u.started_at >= @since"); parameters.Add(("since", since)); }
        if (filter.RolloutId is { } rollout) { where.Add("u.rollout_id = @rollout"); parameters.Add(("rollout", rollout)); }
        if (filter.Site is { } site) { where.Add("u.site = @site"); parameters.Add(("site", site)); }
        string sql = $"SELECT {UploadColumns} FROM uploads u JOIN images i ON i.sha256 = u.image_sha256" +
                     (where.Count > 0 ? " WHERE " + string.Join(" AND ", where) : "") + " ORDER BY u.started_at, u.id";
        return s.Query(sql, r => ReadUpload(r, 0), [.. parameters]);
    });

    /// <summary>Every board ever seen or updated, by name, with its last update and the image it is believed to run.</summary>
    public IReadOnlyList<BoardSummary> Boards() => Read(s =>
    {
        var boards = s.Query("SELECT name, address, port, host, board_id, first_seen, last_seen, family, site FROM boards ORDER BY name",
            r => (Name: r.GetString(0), Address: Text(r, 1), Port: IntOrNull(r, 2), Host: Text(r, 3), BoardId: Text(r, 4), FirstSeen: Time(r, 5),
                LastSeen: TimeOrNull(r, 6), Family: r.GetString(7), Site: Text(r, 8)));
        var taken = LastUploads(s, "'sent', 'rebooted', 'not-back'");
        var believed = LastUploads(s, "'sent', 'rebooted'");
        return boards.Select(b => new BoardSummary(b.Name, b.Address, b.Port, b.Host, b.BoardId, b.FirstSeen, b.LastSeen,
            taken.GetValueOrDefault(b.Name), believed.GetValueOrDefault(b.Name)) { Family = b.Family, Site = b.Site }).ToList();
    });

    /// <summary>One board's summary, or null if the history has never heard of it.</summary>
    public BoardSummary? Board(string name) => Boards().FirstOrDefault(b => string.Equals(b.Name, name, StringComparison.OrdinalIgnoreCase));

    // Each board's last upload with one of these outcomes, in one query (not one per board: a shared database may be far away).
    private static Dictionary<string, UploadRecord> LastUploads(SqlSession s, string outcomes)
    {
        var last = new Dictionary<string, UploadRecord>(StringComparer.OrdinalIgnoreCase);
        foreach (var u in s.Query($"""
            SELECT {UploadColumns} FROM uploads u JOIN images i ON i.sha256 = u.image_sha256
            WHERE u.outcome IN ({outcomes}) ORDER BY u.ended_at, u.id
            """, r => ReadUpload(r, 0)))
            last[u.Board] = u;
        return last;
    }

    private static UploadRecord ReadUpload(DbDataReader r, int o) => new(
        Long(r, o), r.GetString(o + 1), r.GetString(o + 2), Int(r, o + 3),
        new ImageIdentity(r.GetString(o + 4), Long(r, o + 5), r.GetString(o + 6), (uint)Long(r, o + 7), LongOrNull(r, o + 8) is { } v ? (uint)v : null)
        {
            Family = r.GetString(o + 18),
        },
        LongOrNull(r, o + 9), r.GetString(o + 10),
        Time(r, o + 11), TimeOrNull(r, o + 12), UploadOutcomeNames.Parse(Text(r, o + 13)),
        Text(r, o + 14), IntOrNull(r, o + 15), IntOrNull(r, o + 16), DoubleOrNull(r, o + 17))
    {
        Family = r.GetString(o + 18), Site = Text(r, o + 19), Actor = Text(r, o + 20), Agent = Text(r, o + 21),
    };

    /// <summary>The images recorded whose SHA-256 starts with <paramref name="prefix"/>.</summary>
    public IReadOnlyList<string> ImagesStartingWith(string prefix) =>
        Read(s => s.Query("SELECT sha256 FROM images WHERE sha256 LIKE @p ORDER BY sha256", r => r.GetString(0), ("p", prefix.ToLowerInvariant() + "%")));

    /// <summary>The audit trail since <paramref name="since"/> (everything when null), oldest first.</summary>
    public IReadOnlyList<AuditRecord> AuditTrail(DateTimeOffset? since = null, string? subject = null) => Read(s =>
    {
        var where = new List<string>();
        var parameters = new List<(string, object?)>();
        if (since is { } t) { where.Add("at >= @since"); parameters.Add(("since", t)); }
        if (subject is { } x) { where.Add("subject = @subject"); parameters.Add(("subject", x)); }
        return s.Query("SELECT id, at, actor, action, subject, detail FROM audit" + (where.Count > 0 ? " WHERE " + string.Join(" AND ", where) : "") + " ORDER BY at, id",
            r => new AuditRecord(Long(r, 0), Time(r, 1), r.GetString(2), r.GetString(3), Text(r, 4), Text(r, 5)), [.. parameters]);
    });

    /// <summary>An integrity check: "ok" for a sound database (SQLite's <c>PRAGMA integrity_check</c>; PostgreSQL checks its own pages).</summary>
    public string IntegrityCheck() => Engine == DatabaseEngine.Sqlite
        ? Read(s => Convert.ToString(s.Scalar("PRAGMA integrity_check;"), System.Globalization.CultureInfo.InvariantCulture) ?? "")
        : "ok";
}
