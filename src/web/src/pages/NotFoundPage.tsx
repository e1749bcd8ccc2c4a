import { Link } from 'react-router';
import { PageHeader } from '../components/PageHeader';
import { useDocumentTitle } from '../lib/use-document-title';

export function NotFoundPage() {
  useDocumentTitle('Not found');
  return (
    <>
      <PageHeader title="Page not found" />
      <section className="panel">
        <p>There is no page at this address.</p>
        <p>
          <Link to="/">Go to the dashboard</Link>
        </p>
      </section>
    </>
  );
}
