namespace AmebaOta.Fleet.Sites;

/// <summary>
/// Who may do what in a shared PostgreSQL database, as SQL its owner runs once (and again after a schema upgrade): three group
/// roles, and one login role per person or agent made a member of one of them.
/// <list type="bullet">
/// <item><c>amebaota_viewer</c>: reads everything (boards, history, rollouts, sites); changes nothing.</item>
/// <item><c>amebaota_operator</c>: plans and runs rollouts, asks for and cancels jobs, records its own uploads.</item>
/// <item><c>amebaota_agent</c>: records the boards of its own site, and claims and carries out only its site's jobs (row-level
/// security over <c>site_agents</c>, which maps each agent's login role to its site).</item>
/// </list>
/// </summary>
public static class DatabaseRoles
{
    /// <summary>The SQL that creates (or updates) the group roles, their rights and the row-level security.</summary>
    public const string Sql = """
        -- ameba-ota roles: run as the database's owner after 'ameba-ota db migrate' (again after an upgrade).
        DO $$ BEGIN
            IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'amebaota_viewer') THEN CREATE ROLE amebaota_viewer NOLOGIN; END IF;
            IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'amebaota_operator') THEN CREATE ROLE amebaota_operator NOLOGIN; END IF;
            IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'amebaota_agent') THEN CREATE ROLE amebaota_agent NOLOGIN; END IF;
        END $$;
        CREATE TABLE IF NOT EXISTS site_agents (role_name TEXT PRIMARY KEY, site TEXT NOT NULL);   -- which agent login serves which site

        GRANT USAGE ON SCHEMA public TO amebaota_viewer, amebaota_operator, amebaota_agent;
        GRANT SELECT ON ALL TABLES IN SCHEMA public TO amebaota_viewer, amebaota_operator, amebaota_agent;
        GRANT USAGE ON ALL SEQUENCES IN SCHEMA public TO amebaota_operator, amebaota_agent;
        GRANT INSERT, UPDATE ON boards, images, image_blobs, rollouts, rollout_boards, rollout_images, uploads, jobs TO amebaota_operator;
        GRANT INSERT ON audit TO amebaota_operator, amebaota_agent;
        GRANT INSERT, UPDATE ON boards, uploads, agents TO amebaota_agent;
        GRANT INSERT ON images TO amebaota_agent;
        GRANT UPDATE ON jobs TO amebaota_agent;

        -- Agents see and change only their own site's rows; people see everything.
        ALTER TABLE jobs ENABLE ROW LEVEL SECURITY;
        ALTER TABLE boards ENABLE ROW LEVEL SECURITY;
        ALTER TABLE uploads ENABLE ROW LEVEL SECURITY;
        ALTER TABLE agents ENABLE ROW LEVEL SECURITY;
        DROP POLICY IF EXISTS people ON jobs;    CREATE POLICY people ON jobs    TO amebaota_viewer, amebaota_operator USING (true) WITH CHECK (true);
        DROP POLICY IF EXISTS people ON boards;  CREATE POLICY people ON boards  TO amebaota_viewer, amebaota_operator USING (true) WITH CHECK (true);
        DROP POLICY IF EXISTS people ON uploads; CREATE POLICY people ON uploads TO amebaota_viewer, amebaota_operator USING (true) WITH CHECK (true);
        DROP POLICY IF EXISTS people ON agents;  CREATE POLICY people ON agents  TO amebaota_viewer, amebaota_operator USING (true) WITH CHECK (true);
        DROP POLICY IF EXISTS own_site ON jobs;
        CREATE POLICY own_site ON jobs TO amebaota_agent USING (site IN (SELECT site FROM site_agents WHERE role_name = current_user));
        DROP POLICY IF EXISTS read_all ON boards;
        CREATE POLICY read_all ON boards FOR SELECT TO amebaota_agent USING (true);
        DROP POLICY IF EXISTS own_site_insert ON boards;
        CREATE POLICY own_site_insert ON boards FOR INSERT TO amebaota_agent WITH CHECK (site IN (SELECT site FROM site_agents WHERE role_name = current_user));
        DROP POLICY IF EXISTS own_site_update ON boards;
        CREATE POLICY own_site_update ON boards FOR UPDATE TO amebaota_agent
            USING (site IS NULL OR site IN (SELECT site FROM site_agents WHERE role_name = current_user))
            WITH CHECK (site IN (SELECT site FROM site_agents WHERE role_name = current_user));
        DROP POLICY IF EXISTS own_site ON uploads;
        CREATE POLICY own_site ON uploads TO amebaota_agent USING (site IN (SELECT site FROM site_agents WHERE role_name = current_user));
        DROP POLICY IF EXISTS own_site ON agents;
        CREATE POLICY own_site ON agents TO amebaota_agent USING (site IN (SELECT site FROM site_agents WHERE role_name = current_user));

        """;

    /// <summary>The SQL that makes <paramref name="role"/> (an existing login role) the agent of <paramref name="site"/>.</summary>
    public static string Agent(string role, string site) =>
        $"GRANT amebaota_agent TO {Identifier(role)};\nINSERT INTO site_agents (role_name, site) VALUES ({Literal(role)}, {Literal(site)}) ON CONFLICT (role_name) DO UPDATE SET site = excluded.site;\n";

    private static string Identifier(string name) => "\"" + name.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";

    private static string Literal(string text) => "'" + text.Replace("'", "''", StringComparison.Ordinal) + "'";
}
