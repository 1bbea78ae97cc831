using System.Data.Common;
using static AmebaOta.Fleet.History.SqlSession;

namespace AmebaOta.Fleet.History;

/// <summary>How many rows of each table <see cref="HistoryCopy.Copy"/> copied.</summary>
public sealed record CopyResult(IReadOnlyList<(string Table, long Rows)> Tables)
{
    /// <summary>Rows copied in all.</summary>
    public long Rows => Tables.Sum(t => t.Rows);
}

/// <summary>
/// <c>ameba-ota db copy FROM TO</c>: every row of every table, ids kept (so rollout and job numbers stay what users saw), into
/// an empty database of the same schema version, in one transaction on the target, then counted on both sides. SQLite to
/// PostgreSQL is the usual way (a team outgrowing one machine), but any direction works.
/// </summary>
public static class HistoryCopy
{
    // In the order foreign keys need; time and boolean columns are converted between the engines' types.
    private static readonly (string Table, string[] Columns, string[] Times, string[] Bools, bool Identity)[] Tables =
    [
        ("boards", ["name", "address", "port", "host", "board_id", "first_seen", "last_seen", "family", "site"], ["first_seen", "last_seen"], [], false),
        ("images", ["sha256", "size", "file_name", "checksum", "sketch_version", "first_used"], ["first_used"], [], false),
        ("image_blobs", ["sha256", "bytes"], [], [], false),
        ("rollouts", ["id", "image_sha256", "image_path", "stages", "max_failures", "pause_seconds", "parallel", "connect_timeout", "stall_timeout", "retries",
            "retry_delay", "wait_reboot", "interface", "force", "skip_current", "allow_downgrade", "state", "reason", "created_at", "updated_at", "heartbeat_at",
            "owner_pid", "actor", "owner_host", "sites"], ["created_at", "updated_at", "heartbeat_at"], ["force", "skip_current", "allow_downgrade"], true),
        ("rollout_boards", ["rollout_id", "board", "position", "stage", "address", "port", "by_name", "state", "error", "updated_at", "family"], ["updated_at"], ["by_name"], false),
        ("rollout_images", ["rollout_id", "family", "image_sha256", "image_path", "position"], [], [], false),
        ("uploads", ["id", "board", "address", "port", "image_sha256", "rollout_id", "command", "started_at", "ended_at", "outcome", "error", "exit_code",
            "attempts", "reboot_ms", "pid", "family", "site", "actor", "agent", "job_id"], ["started_at", "ended_at"], [], true),
        ("audit", ["id", "at", "actor", "action", "subject", "detail"], ["at"], [], true),
        ("agents", ["name", "site", "host", "pid", "version", "interface", "started_at", "heartbeat_at", "stopped_at", "boards", "jobs_running"],
            ["started_at", "heartbeat_at", "stopped_at"], [], false),
        ("jobs", ["id", "site", "board", "family", "address", "port", "image_sha256", "rollout_id", "batch", "command", "connect_timeout", "stall_timeout", "retries",
            "retry_delay", "wait_reboot", "state", "detail", "bytes_sent", "length", "attempt", "runs", "cancel_requested", "lease_owner", "lease_until",
            "upload_id", "error", "reboot_ms", "requested_by", "created_at", "updated_at", "ended_at"],
            ["lease_until", "created_at", "updated_at", "ended_at"], ["cancel_requested"], true),
    ];

    /// <summary>Copies everything from <paramref name="from"/> into <paramref name="to"/>, which must hold no rows yet.</summary>
    /// <exception cref="HistoryException">The target is not empty, or a database fails; the target is left as it was.</exception>
    public static CopyResult Copy(HistoryStore from, HistoryStore to)
    {
        if (to.Read(s => Tables.Sum(t => s.Long($"SELECT COUNT(*) FROM {t.Table}"))) is var existing and > 0)
            throw new HistoryException($"'{to.Where}' already holds {existing} rows: db copy only fills an empty database (so nothing is mixed or lost)");
        var counts = new List<(string, long)>();
        to.Write(target =>
        {
            foreach (var t in Tables)
            {
                var rows = from.Read(source => source.Query($"SELECT {string.Join(", ", t.Columns)} FROM {t.Table}", r => ReadRow(r, t.Columns, t.Times, t.Bools)));
                string insert = $"INSERT INTO {t.Table} ({string.Join(", ", t.Columns)}) VALUES ({string.Join(", ", t.Columns.Select(c => "@" + c))})";
                foreach (var row in rows) target.Execute(insert, [.. t.Columns.Zip(row)]);
                if (t.Identity && target.Engine == DatabaseEngine.Postgres)
                    target.Execute($"SELECT setval(pg_get_serial_sequence('{t.Table}', 'id'), COALESCE((SELECT MAX(id) FROM {t.Table}), 0) + 1, false)");
                counts.Add((t.Table, rows.Count));
            }
        });
        foreach (var (table, rows) in counts)
        {
            long there = to.Read(s => s.Long($"SELECT COUNT(*) FROM {table}"));
            if (there != rows) throw new HistoryException($"db copy: {table} has {there} rows in '{to.Where}' after copying {rows}");
        }
        return new CopyResult(counts);
    }

    private static object?[] ReadRow(DbDataReader r, string[] columns, string[] times, string[] bools)
    {
        var row = new object?[columns.Length];
        for (int i = 0; i < columns.Length; i++)
        {
            if (r.IsDBNull(i)) row[i] = null;
            else if (times.Contains(columns[i])) row[i] = Time(r, i);
            else if (bools.Contains(columns[i])) row[i] = Bool(r, i);
            else row[i] = r.GetValue(i);
        }
        return row;
    }
}
