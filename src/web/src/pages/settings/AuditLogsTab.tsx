import { useAuditLogs } from '../../api/hooks';
import { KNOWN_AUDIT_ACTIONS } from '../../api/types';
import { ListPanel } from '../../components/ListPanel';
import { LogFilters } from '../../components/LogFilters';
import { useUrlPagedQuery } from '../../lib/url-query';
import { useDocumentTitle } from '../../lib/use-document-title';
import { auditLogColumns } from './audit-log-columns';

const AUDIT_FILTER_KEYS = ['action', 'actor', 'from', 'to'] as const;

/** Every sign-in and change, newest first; filters and paging live in the URL. */
export function AuditLogsTab() {
  useDocumentTitle('Audit logs', 'Settings');
  const { query, version, applyFilters, setPage } = useUrlPagedQuery(AUDIT_FILTER_KEYS);
  const logs = useAuditLogs(query);

  return (
    <ListPanel
      title="Audit logs"
      header={{ description: 'Every sign-in and every change, who made it and whether it succeeded.' }}
      caption="Audit log entries"
      list={logs}
      errorTitle="Could not load audit logs."
      toolbar={
        <LogFilters
          key={version}
          label="Audit log filters"
          inputs={[
            { key: 'action', label: 'Action', placeholder: 'e.g. user.create', suggestions: KNOWN_AUDIT_ACTIONS },
            { key: 'actor', label: 'Actor', placeholder: 'username' },
          ]}
          query={query}
          onApply={applyFilters}
        />
      }
      columns={auditLogColumns}
      rowKey={(entry) => entry.id}
      empty="No audit log entries match these filters."
      dense
      page={query}
      onPageChange={setPage}
      pagesLabel="Audit log pages"
    />
  );
}
